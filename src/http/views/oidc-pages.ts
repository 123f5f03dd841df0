import { layout } from './html.js';

/** The page `GET /oidc/logout` shows when there is nowhere to redirect. */
export function renderLogoutPage(): string {
  return layout(
    'Logout Successful',
    `<h1>Logout Successful</h1>
<p>You have been successfully logged out.</p>
<p class="muted">It is safe to close this browser window.</p>`,
  );
}

/**
 * The OIDC Session Management iframe. It announces itself to its parent and answers
 * `oidc-session-check <client_id> <session_state>` messages by comparing states client-side.
 */
export function renderSessionIframe(): string {
  return layout(
    'OIDC Session Management',
    `<h1>OIDC Session Management</h1>
<script>
(function () {
  var last = null;
  window.addEventListener('message', function (event) {
    if (typeof event.data !== 'string' || event.data.indexOf('oidc-session-check ') !== 0) return;
    var parts = event.data.split(' ');
    if (parts.length !== 3) { event.source.postMessage('error', event.origin); return; }
    var state = parts[2];
    var answer = last === null || last === state ? 'unchanged' : 'changed';
    last = state;
    event.source.postMessage(answer, event.origin);
  });
  if (window.parent !== window) window.parent.postMessage('oidc-session-iframe-ready', '*');
})();
</script>`,
  );
}

/** The front-channel logout page; the browser session cookie is cleared with it. */
export function renderFrontChannelLogoutPage(): string {
  return layout('Front-Channel Logout', `<h1>Front-Channel Logout</h1>\n<p>You have been logged out of this session.</p>`);
}
