import { escapeHtml, layout } from './html.js';

/** What the code entry page shows. */
export interface DeviceEntryPageOptions {
  action: string;
  csrfToken: string;
  /** Pre-filled from `verification_uri_complete` (RFC 8628 §3.3.1). */
  userCode?: string;
  error?: string;
}

/**
 * RFC 8628 §3.3: the page where the user types the code their device shows. The user must
 * still confirm on the next page, so a pre-filled code alone authorizes nothing (§5.4).
 */
export function renderDeviceEntryPage(options: DeviceEntryPageOptions): string {
  return layout(
    'Connect a Device',
    `<h1>Connect a Device</h1>
<p>Enter the code shown on your device.</p>
${options.error ? `<p class="error" role="alert" id="device-error">${escapeHtml(options.error)}</p>` : ''}
<form method="post" action="${escapeHtml(options.action)}" id="device-form">
<input type="hidden" name="csrf_token" value="${escapeHtml(options.csrfToken)}">
<label for="user_code">Code</label>
<input type="text" id="user_code" name="user_code" autocomplete="off" autocapitalize="characters" spellcheck="false" value="${escapeHtml(options.userCode ?? '')}" autofocus>
<div class="actions"><button type="submit" class="primary" id="continue-btn">Continue</button></div>
</form>`,
  );
}

/** The page after the user answered: they go back to their device. */
export function renderDeviceDonePage(approved: boolean): string {
  const title = approved ? 'Device Connected' : 'Request Denied';
  const text = approved ? 'You may now return to your device.' : 'The device was not given access. You may close this page.';
  return layout(title, `<h1 id="device-result">${title}</h1>\n<p>${text}</p>`);
}
