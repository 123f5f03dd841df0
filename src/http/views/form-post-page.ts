import { escapeHtml, layout } from './html.js';

/**
 * OAuth 2.0 Form Post Response Mode §2: an auto-submitting form to the client's redirect URI.
 * The inline script is allowed by the page's CSP (`script-src 'unsafe-inline'`).
 */
export function renderFormPostPage(action: string, fields: Record<string, string>): string {
  const inputs = Object.entries(fields)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('\n');
  return layout(
    'Submit This Form',
    `<form method="post" action="${escapeHtml(action)}" id="form-post">
${inputs}
<noscript><button type="submit">Continue</button></noscript>
</form>
<script>document.getElementById('form-post').submit();</script>`,
  );
}
