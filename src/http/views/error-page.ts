import { escapeHtml, layout } from './html.js';

/**
 * The page for authorization errors that must not be redirected (RFC 6749 §4.1.2.1): the
 * client or its redirect URI could not be trusted.
 */
export function renderErrorPage(error: string, description: string): string {
  return layout(
    'Authorization Error',
    `<h1>Authorization Error</h1>
<p class="error" id="error-code">${escapeHtml(error)}</p>
<p id="error-description">${escapeHtml(description)}</p>
<p class="muted">Return to the application and try again; if this keeps happening, contact its developer.</p>`,
  );
}
