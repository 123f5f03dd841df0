import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '../../src/domain/client.js';
import type { TestBackend, TestServer } from '../helpers/app.js';
import { loginThroughForm } from '../helpers/login-form.js';
import { authorizationUrl, pkcePair } from '../helpers/oauth-flow.js';
import { hasPostgres } from '../helpers/services.js';
import { startAdminServer, type ApiClient } from '../protection/api-client.js';

/** Redirect URIs no client may register, whatever its type. */
const REFUSED_FOR_ALL = [
  'javascript://x/%0aalert(document.domain)',
  'JavaScript://x/%0aalert(document.domain)',
  'vbscript://x/msgbox(1)',
  'data://text/html,<script>alert(1)</script>',
  'file:///etc/passwd',
  'blob://app.example.com/1234',
  'https://app.example.com/cb#fragment',
  'https://app.example.com/cb#',
  'https://user:secret@app.example.com/cb',
  'https://app.example.com/cb\r\nSet-Cookie: a=b',
  'https://app.example.com/c b',
  ' https://app.example.com/cb',
  'https://APP.example.com/cb',
  'https://app.example.com:443/cb',
  'https://app.example.com/a/../cb',
  'https://app.example.com',
];

/** Plain http to a name that only looks like loopback: refused for public clients. */
const REFUSED_FOR_PUBLIC = ['http://localhost.evil.example/cb', 'http://127.0.0.1.evil.example/cb', 'http://example.com/cb'];

/** Still accepted: https, exact loopback http, native-app custom schemes. */
const ACCEPTED_FOR_PUBLIC = ['https://app.example.com/cb', 'http://localhost:3000/cb', 'http://127.0.0.1:8080/cb', 'http://[::1]:8080/cb', 'com.example.app://cb'];

/** Rows stored before the rules (or imported from Authly) that must never reach a browser. */
const UNSAFE_ROWS = ['javascript://x/%0aalert(document.domain)', 'JAVASCRIPT:alert(1)//', 'data:text/html,<script>alert(1)</script>', 'java\tscript:alert(1)'];

for (const backend of ['sqlite', 'postgresql'] as TestBackend[]) {
  describe.skipIf(backend === 'postgresql' && !hasPostgres)(`redirect URIs cannot become script on this origin (${backend})`, () => {
    let server: TestServer;
    let api: ApiClient;
    let adminToken: string;

    beforeAll(async () => {
      ({ server, api, adminToken } = await startAdminServer(backend));
    });
    afterAll(async () => server?.close());

    /** The CSP never names a browser-executed scheme, and form-action allows nothing but web origins and app schemes. */
    function expectNoScriptSource(csp: string | null): void {
      expect(csp).not.toMatch(/javascript:|vbscript:/i);
      const formAction = /form-action ([^;]*)/.exec(csp ?? '')?.[1];
      expect(formAction).toMatch(/^'self'/);
      expect(formAction).not.toMatch(/data:|blob:|file:/);
    }

    const register = (clientType: string, uris: string[]) =>
      api.call('POST', '/admin/clients', { token: adminToken, body: { client_name: 'Redirects', client_type: clientType, redirect_uris: uris } });

    describe('registration through the admin API', () => {
      it.each(REFUSED_FOR_ALL)('refuses %j for confidential and public clients, on create and update', async (uri) => {
        for (const type of ['confidential', 'public']) {
          const created = await register(type, [uri]);
          expect(created.status, `${type} ${uri}`).toBe(400);
          expect(created.json.detail).toMatch(/^Invalid redirect URI/);
        }
        const id = (await register('confidential', ['https://app.example.com/ok'])).json.client_id;
        const updated = await api.call('PUT', `/admin/clients/${id}`, { token: adminToken, body: { redirect_uris: ['https://app.example.com/ok', uri] } });
        expect(updated.status).toBe(400);
        const stored = await api.call('GET', `/admin/clients/${id}`, { token: adminToken });
        expect(stored.json.redirect_uris).toEqual(['https://app.example.com/ok']);
      });

      it.each(REFUSED_FOR_PUBLIC)('refuses plain http to %j for a public client', async (uri) => {
        const created = await register('public', [uri]);
        expect(created.status).toBe(400);
        expect(created.json).toEqual({ detail: `Public clients must use HTTPS, localhost, or custom schemes: ${uri}` });
      });

      it('accepts https, exact loopback http and custom schemes; a confidential client keeps plain http', async () => {
        expect((await register('public', ACCEPTED_FOR_PUBLIC)).status).toBe(200);
        expect((await register('confidential', ['http://intranet.example/cb'])).status).toBe(200);
      });
    });

    describe('the authorization endpoint re-checks stored redirect URIs', () => {
      const clients = new Map<string, Client>();

      beforeAll(async () => {
        for (const uri of UNSAFE_ROWS) clients.set(uri, (await server.addClient({ clientType: 'public', redirectUris: [uri] })).client);
      });

      function params(client: Client, redirectUri: string, extra: Record<string, string> = {}): Record<string, string> {
        return { response_type: 'code', client_id: client.clientId, redirect_uri: redirectUri, scope: 'openid', state: 's', code_challenge: pkcePair().challenge, ...extra };
      }

      it.each(UNSAFE_ROWS)('shows the error page for the stored row %j: no form_post page, no redirect', async (uri) => {
        const client = clients.get(uri)!;
        for (const mode of ['form_post', 'query', 'fragment']) {
          const response = await fetch(authorizationUrl(server, params(client, uri, { response_mode: mode })), { redirect: 'manual' });
          expect(response.status, mode).toBe(400);
          expect(response.headers.get('location')).toBeNull();
          const body = await response.text();
          expect(body).toContain('Authorization Error');
          expect(body).not.toContain('id="form-post"');
          expectNoScriptSource(response.headers.get('content-security-policy'));
        }
        // The login form's POST (and Authly's bearer style) is refused the same way.
        const post = await fetch(`${server.url}/api/v1/oauth/authorize`, {
          method: 'POST',
          redirect: 'manual',
          body: new URLSearchParams({ ...params(client, uri, { response_mode: 'form_post' }), username: server.user.username, password: server.password, approved: 'true' }),
        });
        expect(post.status).toBe(400);
        expect(post.headers.get('location')).toBeNull();
        expect(await post.text()).not.toContain('id="form-post"');
      });

      it('never offers form_post to a custom scheme, but keeps query responses for native apps', async () => {
        const native = (await server.addClient({ clientType: 'public', redirectUris: ['com.example.app://cb'] })).client;
        const formPost = await fetch(authorizationUrl(server, params(native, 'com.example.app://cb', { response_mode: 'form_post' })), { redirect: 'manual' });
        expect(formPost.status).toBe(400);
        expect(formPost.headers.get('location')).toBeNull();
        const page = await fetch(authorizationUrl(server, params(native, 'com.example.app://cb')), { redirect: 'manual' });
        expect(page.status).toBe(200);
        // The consent POST ends in a redirect to the app, which CSP form-action must allow.
        expect(page.headers.get('content-security-policy')).toContain("form-action 'self' com.example.app:");
      });

      it('posts the form_post response to an http(s) redirect URI, allowing only its origin', async () => {
        const response = await loginThroughForm(
          authorizationUrl(server, params(server.publicClient, server.redirectUri, { response_mode: 'form_post' })),
          { username: server.user.username, password: server.password },
        );
        expect(response.status).toBe(200);
        const body = await response.text();
        expect(body).toContain(`action="${server.redirectUri}"`);
        expect(body).toMatch(/name="code" value="[^"]+"/);
        const csp = response.headers.get('content-security-policy');
        expect(csp).toContain(`form-action 'self' ${new URL(server.redirectUri).origin};`);
        expectNoScriptSource(csp);
      });
    });
  });
}
