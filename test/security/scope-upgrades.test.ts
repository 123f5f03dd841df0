import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '../../src/domain/client.js';
import type { TestBackend, TestServer } from '../helpers/app.js';
import { loginThroughForm } from '../helpers/login-form.js';
import { authorizationUrl, pkcePair, tokenRequest } from '../helpers/oauth-flow.js';
import { hasPostgres } from '../helpers/services.js';
import { ADMIN_PASSWORD, startAdminServer, type ApiClient } from '../protection/api-client.js';

/** `count` distinct, well-formed scope names: far over any limit, under the 1 MiB body limit. */
function manyScopes(count: number): string {
  return Array.from({ length: count }, (_, i) => `s${i}`).join(' ');
}

for (const backend of ['sqlite', 'postgresql'] as TestBackend[]) {
  describe.skipIf(backend === 'postgresql' && !hasPostgres)(`scopes only narrow and stay within the client's registration (${backend})`, () => {
    let server: TestServer;
    let api: ApiClient;
    let adminToken: string;
    /** Registered for the OIDC scopes only. */
    let oidcApp: { client: Client; secret: string };
    /** Another confidential client registered for the same scopes. */
    let otherApp: { client: Client; secret: string };
    /** Registered (by an administrator) for admin scopes too. */
    let adminTool: { client: Client; secret: string };
    /** Registered for no scope at all, as many of Authly's clients are. */
    let unregistered: Client;

    beforeAll(async () => {
      ({ server, api, adminToken } = await startAdminServer(backend));
      const confidential = async (scope: string) => {
        const made = await server.addClient({ grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'], scope });
        return { client: made.client, secret: made.secret! };
      };
      oidcApp = await confidential('openid profile email');
      otherApp = await confidential('openid profile email');
      adminTool = await confidential('openid admin:users:write admin:clients:write');
      unregistered = (await server.addClient({ clientType: 'public' })).client;
    });
    afterAll(async () => server?.close());

    const basic = (app: { client: Client; secret: string }) => ({ id: app.client.clientId, secret: app.secret });

    function authorizeParams(client: Client, scope: string, extra: Record<string, string> = {}): Record<string, string> {
      return {
        response_type: 'code',
        client_id: client.clientId,
        redirect_uri: server.redirectUri,
        scope,
        state: 'st-1',
        code_challenge: pkcePair().challenge,
        code_challenge_method: 'S256',
        ...extra,
      };
    }

    /** Authly's API style: the authorization is approved with a bearer token instead of the form login. */
    async function bearerAuthorize(token: string, params: Record<string, string>): Promise<Response> {
      return fetch(`${server.url}/api/v1/oauth/authorize`, {
        method: 'POST',
        redirect: 'manual',
        headers: { authorization: `Bearer ${token}` },
        body: new URLSearchParams({ ...params, approved: 'true' }),
      });
    }

    async function authorizePage(params: Record<string, string>): Promise<Response> {
      return fetch(authorizationUrl(server, params), { redirect: 'manual' });
    }

    function redirectParams(response: Response): URLSearchParams {
      expect(response.status).toBe(302);
      const location = new URL(response.headers.get('location')!);
      expect(location.origin + location.pathname).toBe(server.redirectUri);
      return location.searchParams;
    }

    async function passwordToken(username: string, password: string, scope: string): Promise<string> {
      const response = await tokenRequest(server, { grant_type: 'password', username, password, scope });
      expect(response.status, JSON.stringify(response.body)).toBe(200);
      return response.body.access_token as string;
    }

    /** A user token issued to `app` through the login form and a code exchange. */
    async function tokenOfClient(app: { client: Client; secret: string }, scope: string): Promise<string> {
      const { verifier, challenge } = pkcePair();
      const redirect = await loginThroughForm(authorizationUrl(server, { ...authorizeParams(app.client, scope), code_challenge: challenge }), {
        username: server.user.username,
        password: server.password,
      });
      const code = redirectParams(redirect).get('code')!;
      const exchanged = await tokenRequest(
        server,
        { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: server.redirectUri },
        basic(app),
      );
      expect(exchanged.status, JSON.stringify(exchanged.body)).toBe(200);
      return exchanged.body.access_token as string;
    }

    describe('bearer-authenticated POST /oauth/authorize only narrows', () => {
      it("refuses to turn an admin's openid token into admin scopes (invalid_scope, no code)", async () => {
        const openidOnly = await passwordToken('admin', ADMIN_PASSWORD, 'openid');
        const response = await bearerAuthorize(openidOnly, authorizeParams(adminTool.client, 'openid admin:users:write admin:clients:write'));
        const params = redirectParams(response);
        expect(params.get('error')).toBe('invalid_scope');
        expect(params.get('code')).toBeNull();
        expect(params.get('state')).toBe('st-1');
      });

      it('lets a client-less token authorize a narrower or equal scope, and the tokens carry only that', async () => {
        const wide = await passwordToken('admin', ADMIN_PASSWORD, 'openid admin:users:write');
        const { verifier, challenge } = pkcePair();
        const response = await bearerAuthorize(wide, { ...authorizeParams(adminTool.client, 'openid'), code_challenge: challenge });
        const code = redirectParams(response).get('code');
        expect(code).toBeTruthy();
        const tokens = await tokenRequest(
          server,
          { grant_type: 'authorization_code', code: code!, code_verifier: verifier, redirect_uri: server.redirectUri },
          basic(adminTool),
        );
        expect(tokens.status).toBe(200);
        expect(tokens.body.scope).toBe('openid');
      });

      it('refuses a wider scope than the token of the same client holds', async () => {
        const token = await tokenOfClient(oidcApp, 'openid');
        const response = await bearerAuthorize(token, authorizeParams(oidcApp.client, 'openid profile email'));
        expect(redirectParams(response).get('error')).toBe('invalid_scope');
      });

      it('refuses a token that was issued to another client (access_denied)', async () => {
        const token = await tokenOfClient(oidcApp, 'openid profile');
        const response = await bearerAuthorize(token, authorizeParams(otherApp.client, 'openid'));
        const params = redirectParams(response);
        expect(params.get('error')).toBe('access_denied');
        expect(params.get('code')).toBeNull();
      });

      it("narrows a client's own token to a code for the same client", async () => {
        const token = await tokenOfClient(oidcApp, 'openid profile');
        const response = await bearerAuthorize(token, authorizeParams(oidcApp.client, 'openid'));
        expect(redirectParams(response).get('code')).toBeTruthy();
      });
    });

    describe('the authorization endpoint grants only scopes registered for the client', () => {
      it('redirects invalid_scope when a client registered for OIDC scopes asks for an admin scope', async () => {
        const params = redirectParams(await authorizePage(authorizeParams(oidcApp.client, 'openid admin:users:write')));
        expect(params.get('error')).toBe('invalid_scope');
        expect(params.get('state')).toBe('st-1');
        expect(params.get('iss')).toBe(server.url);
      });

      it('redirects invalid_scope for an active scope the client is not registered for', async () => {
        expect(redirectParams(await authorizePage(authorizeParams(oidcApp.client, 'openid read'))).get('error')).toBe('invalid_scope');
      });

      it('refuses the same through the login form, even with the right password', async () => {
        const response = await fetch(`${server.url}/api/v1/oauth/authorize`, {
          method: 'POST',
          redirect: 'manual',
          body: new URLSearchParams({ ...authorizeParams(oidcApp.client, 'openid admin:clients:write'), username: server.user.username, password: server.password, approved: 'true' }),
        });
        const params = redirectParams(response);
        expect(params.get('error')).toBe('invalid_scope');
        expect(params.get('code')).toBeNull();
      });

      it('shows the consent page for the registered scopes, admin scopes included when registered', async () => {
        const page = await authorizePage(authorizeParams(adminTool.client, 'openid admin:users:write'));
        expect(page.status).toBe(200);
        expect(await page.text()).toContain('admin:users:write');
        const assigned = await server.app.container.repositories.clients.create(
          { clientId: `assigned_${backend}`, clientName: 'Assigned', clientType: 'public', redirectUris: [server.redirectUri], grantTypes: ['authorization_code'], tokenEndpointAuthMethod: 'none' },
          ['admin:users:read'],
        );
        expect((await authorizePage(authorizeParams(assigned, 'admin:users:read'))).status).toBe(200);
        expect(redirectParams(await authorizePage(authorizeParams(assigned, 'read'))).get('error')).toBe('invalid_scope');
      });

      it('gives a client registered for no scope the non-admin scopes, never an admin one', async () => {
        expect((await authorizePage(authorizeParams(unregistered, 'openid profile read'))).status).toBe(200);
        for (const scope of ['admin:users:write', 'openid admin:clients:read', 'admin']) {
          expect(redirectParams(await authorizePage(authorizeParams(unregistered, scope))).get('error'), scope).toBe('invalid_scope');
        }
      });

      it('admin scopes reach a client registered for them through the admin API, and no other', async () => {
        const created = await api.call('POST', '/admin/clients', {
          token: adminToken,
          body: { client_name: 'Ops console', client_type: 'public', redirect_uris: [server.redirectUri], scope: 'openid admin:users:read' },
        });
        expect(created.status).toBe(200);
        const registered = await server.app.container.repositories.clients.findByClientId(created.json.client_id);
        expect((await authorizePage(authorizeParams(registered!, 'admin:users:read'))).status).toBe(200);
        expect(redirectParams(await authorizePage(authorizeParams(registered!, 'admin:users:write'))).get('error')).toBe('invalid_scope');
      });
    });

    describe('client_credentials grants only registered, active scopes', () => {
      it('refuses a scope the client is not registered for, admin scopes included', async () => {
        for (const scope of ['read', 'admin:users:write', 'openid admin:clients:write']) {
          const response = await tokenRequest(server, { grant_type: 'client_credentials', scope }, basic(oidcApp));
          expect(response.status, scope).toBe(400);
          expect(response.body.error).toBe('invalid_scope');
        }
        const ok = await tokenRequest(server, { grant_type: 'client_credentials', scope: 'openid' }, basic(oidcApp));
        expect(ok.status).toBe(200);
        expect(ok.body.scope).toBe('openid');
      });

      it('does not grant a registered scope once it is deactivated', async () => {
        const repos = server.app.container.repositories;
        const reports = await repos.scopes.create({ scopeName: `reports_${backend}`, description: 'Reports', isDefault: false, isActive: true });
        const app = await server.addClient({ grantTypes: ['client_credentials'], scope: `read ${reports.scopeName}` });
        const credentials = { id: app.client.clientId, secret: app.secret! };
        expect((await tokenRequest(server, { grant_type: 'client_credentials' }, credentials)).body.scope).toBe(`read ${reports.scopeName}`);
        await repos.scopes.update(reports.id, { isActive: false });
        const asked = await tokenRequest(server, { grant_type: 'client_credentials', scope: reports.scopeName }, credentials);
        expect(asked.status).toBe(400);
        expect(asked.body.error).toBe('invalid_scope');
        expect((await tokenRequest(server, { grant_type: 'client_credentials' }, credentials)).body.scope).toBe('read');
      });
    });

    describe('the password grant with a client grants only what the client is registered for', () => {
      it("refuses an admin's login through a third-party client when it asks for admin scopes", async () => {
        const app = await server.addClient({ grantTypes: ['password', 'refresh_token'], scope: 'openid profile' });
        const credentials = { id: app.client.clientId, secret: app.secret! };
        const login = { grant_type: 'password', username: 'admin', password: ADMIN_PASSWORD };
        for (const scope of ['openid admin:users:write', 'read']) {
          const refused = await tokenRequest(server, { ...login, scope }, credentials);
          expect(refused.status, scope).toBe(400);
          expect(refused.body.error).toBe('invalid_scope');
        }
        const narrowed = await tokenRequest(server, { ...login, scope: 'openid' }, credentials);
        expect(narrowed.status).toBe(200);
        expect(narrowed.body.scope).toBe('openid');
        // Without a client (Authly's CLI), the admin still gets admin scopes.
        expect((await tokenRequest(server, { ...login, scope: 'admin:users:read' })).status).toBe(200);
      });
    });

    describe('scope lists are bounded before any query', () => {
      // 40,000 names fit in a query string; a form body that large is refused by the OAuth body
      // limit first (413), so the form cases send 3,000 names, which fit under it.
      const huge = manyScopes(40_000);
      const many = manyScopes(3_000);

      it('redirects invalid_scope for a 40,000-name query and a 3,000-name form at the authorization endpoint', async () => {
        const get = await server.app.server.inject({ method: 'GET', url: '/api/v1/oauth/authorize', query: authorizeParams(oidcApp.client, huge) });
        expect(get.statusCode).toBe(302);
        expect(new URL(get.headers.location as string).searchParams.get('error')).toBe('invalid_scope');
        const post = await fetch(`${server.url}/api/v1/oauth/authorize`, {
          method: 'POST',
          redirect: 'manual',
          body: new URLSearchParams({ ...authorizeParams(oidcApp.client, many), username: server.user.username, password: server.password, approved: 'true' }),
        });
        expect(redirectParams(post).get('error')).toBe('invalid_scope');
      });

      it('answers 400 invalid_scope for a 3,000-name scope on every grant of the token endpoint, 413 for 40,000', async () => {
        const refreshToken = await (async () => {
          const response = await tokenRequest(server, { grant_type: 'password', username: server.user.username, password: server.password, scope: 'openid' });
          return response.body.refresh_token as string;
        })();
        const requests: [string, Record<string, string>, { id: string; secret: string } | undefined][] = [
          ['password', { grant_type: 'password', username: server.user.username, password: server.password, scope: many }, undefined],
          ['client_credentials', { grant_type: 'client_credentials', scope: many }, basic(oidcApp)],
          ['refresh_token', { grant_type: 'refresh_token', refresh_token: refreshToken, scope: many }, undefined],
        ];
        for (const [name, form, credentials] of requests) {
          const response = await tokenRequest(server, form, credentials);
          expect(response.status, name).toBe(400);
          expect(response.body.error, name).toBe('invalid_scope');
        }
        const json = await fetch(`${server.url}/api/v1/oauth/refresh`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ refresh_token: refreshToken, scope: many }),
        });
        expect(json.status).toBe(400);
        expect(((await json.json()) as { error: string }).error).toBe('invalid_scope');
        const oversized = await tokenRequest(server, { grant_type: 'password', username: server.user.username, password: server.password, scope: huge });
        expect(oversized.status).toBe(413);
        // The refresh token was not consumed by the refused requests.
        expect((await tokenRequest(server, { grant_type: 'refresh_token', refresh_token: refreshToken })).status).toBe(200);
      });

      it('refuses 51 names, and a name longer than a scope name can be', async () => {
        const many = await tokenRequest(server, { grant_type: 'password', username: server.user.username, password: server.password, scope: manyScopes(51) });
        expect(many.body.error).toBe('invalid_scope');
        const long = await tokenRequest(server, { grant_type: 'password', username: server.user.username, password: server.password, scope: `openid ${'x'.repeat(256)}` });
        expect(long.body.error).toBe('invalid_scope');
      });

      it('answers 422 for an oversized scope list in the admin client API', async () => {
        const base = { client_name: 'Many scopes', client_type: 'confidential', redirect_uris: ['https://app.example.com/cb'] };
        for (const scope of [manyScopes(60), manyScopes(40_000), `openid ${'x'.repeat(300)}`]) {
          const created = await api.call('POST', '/admin/clients', { token: adminToken, body: { ...base, scope } });
          expect(created.status).toBe(422);
          expect(created.json.detail[0].loc).toEqual(['body', 'scope']);
        }
        const id = (await api.call('POST', '/admin/clients', { token: adminToken, body: base })).json.client_id;
        const updated = await api.call('PUT', `/admin/clients/${id}`, { token: adminToken, body: { scope: manyScopes(60) } });
        expect(updated.status).toBe(422);
      });
    });
  });
}
