import type { ConsentView } from '../../services/authorize.js';
import { escapeHtml, layout } from './html.js';

/** Values the login form carries back, beyond the authorization parameters. */
export interface LoginPageOptions {
  /** Where the form posts (the authorization endpoint, or the device verification page). */
  action: string;
  /** Every authorization parameter, echoed as hidden fields so POST can re-validate. */
  params: Record<string, string>;
  csrfToken: string;
  /** Shown above the form after a failed attempt. */
  error?: string;
  username?: string;
  /** Set when a live browser session makes the password unnecessary: only consent is asked. */
  signedInAs?: string;
}

function loginFields(username: string | undefined): string {
  return `<label for="username">Username</label>
<input type="text" id="username" name="username" autocomplete="username" value="${escapeHtml(username ?? '')}" autofocus>
<label for="password">Password</label>
<input type="password" id="password" name="password" autocomplete="current-password">`;
}

function hidden(name: string, value: string): string {
  return `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`;
}

/**
 * The login and consent page, with a login form added: every client-supplied value is
 * escaped, and a CSRF token travels in a hidden field and a cookie (double submit).
 */
export function renderLoginPage(view: Pick<ConsentView, 'client' | 'scopes'>, options: LoginPageOptions): string {
  const { client } = view;
  const scopes = view.scopes
    .map((s) => `<li><strong>${escapeHtml(s.name)}</strong>${s.description ? ` — ${escapeHtml(s.description)}` : ''}</li>`)
    .join('\n');
  const fields = Object.entries(options.params)
    .map(([name, value]) => hidden(name, value))
    .join('\n');
  const body = `<h1>Authorize Application</h1>
<p><strong id="client-name">${escapeHtml(client.clientName)}</strong> wants to access your account.</p>
${client.clientUri ? `<p class="muted">${escapeHtml(client.clientUri)}</p>` : ''}
<p class="muted">Client ID: ${escapeHtml(client.clientId)}</p>
${view.scopes.length > 0 ? `<p>It asks for these permissions:</p>\n<ul class="scopes" id="scopes">\n${scopes}\n</ul>` : '<p>It asks for no particular permissions.</p>'}
${options.error ? `<p class="error" role="alert" id="login-error">${escapeHtml(options.error)}</p>` : ''}
<form method="post" action="${escapeHtml(options.action)}" id="consent-form">
${fields}
${hidden('csrf_token', options.csrfToken)}
${options.signedInAs ? `<p id="signed-in-as">Signed in as <strong>${escapeHtml(options.signedInAs)}</strong></p>` : loginFields(options.username)}
<div class="actions">
<button type="submit" name="approved" value="false" id="deny-btn">Deny</button>
<button type="submit" name="approved" value="true" id="authorize-btn" class="primary">Allow</button>
</div>
</form>`;
  return layout('Authorize Application', body);
}
