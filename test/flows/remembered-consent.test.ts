import type * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestBackend, TestServer } from '../helpers/app.js';
import { loginThroughForm } from '../helpers/login-form.js';
import { introspect, obtainCode, tokenRequest } from '../helpers/oauth-flow.js';
import { discoverConfidential, openIdRequest } from '../helpers/openid-client.js';
import { hasPostgres } from '../helpers/services.js';
import { startAdminServer, type ApiClient } from '../protection/api-client.js';

const BOB_PASSWORD = 'Str0ng-Passw0rd!';

interface Grant {
  grant_id: string;
  client_id: string;
  client_name: string;
  scopes: string[];
  created_at: string;
}

/*
 * OIDC Core §3.1.2.4 and §11: a user's consent is remembered per client, so a returning user with
 * a live session goes straight through and `prompt=none` succeeds; revoking the grant makes
 * `prompt=none` answer `consent_required` and kills the grant's tokens. openid-client drives the
 * flows; the grant endpoints are called with the user's own token.
 */
for (const backend of ['sqlite', 'postgresql'] as TestBackend[]) {
  describe.skipIf(backend === 'postgresql' && !hasPostgres)(`remembered consent and grants (${backend})`, () => {
    let server: TestServer;
    let api: ApiClient;
    let adminToken: string;
    let config: client.Configuration;
    let session: string;
    let first: client.TokenEndpointResponse;
    let grantId: string;

    beforeAll(async () => {
      ({ server, api, adminToken } = await startAdminServer(backend));
      config = await discoverConfidential(server);
    });
    afterAll(async () => server?.close());

    const request = (scope: string, extra: Record<string, string> = {}) => openIdRequest(config, server.redirectUri, scope, extra);

    /** The authorization endpoint's redirect for a browser with the session cookie. */
    async function silently(url: URL): Promise<URL> {
      const response = await fetch(url, { redirect: 'manual', headers: { cookie: session } });
      expect(response.status).toBe(302);
      return new URL(response.headers.get('location')!);
    }

    const grants = (token: string) => api.call('GET', '/api/v1/users/me/grants', { token });

    it('advertises offline_access in both discovery documents', async () => {
      expect(config.serverMetadata().scopes_supported).toContain('offline_access');
      const oauthDoc = (await (await fetch(`${server.url}/.well-known/oauth-authorization-server`)).json()) as { scopes_supported: string[] };
      expect(oauthDoc.scopes_supported).toContain('offline_access');
    });

    it('remembers the consent given on the login page, and lists it as a grant of the user', async () => {
      const { url, redeem } = await request('openid profile offline_access');
      const response = await loginThroughForm(url.toString(), { username: server.user.username, password: server.password });
      session = response.headers.getSetCookie().find((c) => c.startsWith('authly_session='))!.split(';')[0]!;
      first = await redeem(response.headers.get('location')!);
      // OIDC Core §11: offline_access was granted, so a refresh token comes with the ID token.
      expect(first.refresh_token).toBeTruthy();

      const listed = await grants(first.access_token);
      expect(listed.status).toBe(200);
      expect(listed.json).toEqual([
        {
          grant_id: expect.any(String),
          client_id: server.confidential.client.clientId,
          client_name: server.confidential.client.clientName,
          scopes: ['openid', 'profile', 'offline_access'],
          created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        },
      ] satisfies Grant[]);
      grantId = (listed.json as Grant[])[0]!.grant_id;
    });

    it('with a live session and a covering consent, prompt=none (and no prompt) answers a code without a page', async () => {
      const none = await request('openid profile', { prompt: 'none' });
      const tokens = await none.redeem((await silently(none.url)).toString());
      expect(tokens.claims()?.sub).toBe(server.user.id);
      // OIDC Core §11: without offline_access, an OpenID Connect request gets no refresh token.
      expect(tokens.refresh_token).toBeUndefined();

      const plain = await request('openid offline_access');
      const again = await plain.redeem((await silently(plain.url)).toString());
      expect(again.refresh_token).toBeTruthy();
    });

    it('asks again with prompt=consent, and answers consent_required to prompt=none for scopes not consented to', async () => {
      const consent = await request('openid', { prompt: 'consent' });
      const page = await fetch(consent.url, { headers: { cookie: session } });
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('id="consent-form"');

      const wider = await request('openid email', { prompt: 'none' });
      expect((await silently(wider.url)).searchParams.get('error')).toBe('consent_required');
    });

    it('keeps refresh tokens for plain OAuth requests without offline_access', async () => {
      const { code, verifier } = await obtainCode(server, server.confidential.client.clientId, { scope: 'read' });
      const basic = { id: server.confidential.client.clientId, secret: server.confidential.secret };
      const exchanged = await tokenRequest(server, { grant_type: 'authorization_code', code, redirect_uri: server.redirectUri, code_verifier: verifier }, basic);
      expect(exchanged.status).toBe(200);
      expect(exchanged.body.refresh_token).toBeTruthy();
    });

    it("answers 404 to another user's attempt to revoke the grant, which stays live", async () => {
      const created = await api.call('POST', '/admin/users', {
        token: adminToken,
        body: { username: 'bob', email: 'bob@example.com', password: BOB_PASSWORD, is_verified: true },
      });
      expect(created.status, created.body).toBe(201);
      const bob = await api.token('bob', BOB_PASSWORD, 'read');
      expect((await api.call('DELETE', `/api/v1/users/me/grants/${grantId}`, { token: bob })).status).toBe(404);
      expect((await grants(bob)).json).toEqual([]);
      expect((await introspect(server, first.access_token)).active).toBe(true);
      // Nor may an admin path name the grant under another user.
      const bobId = created.json.id as string;
      expect((await api.call('DELETE', `/admin/users/${bobId}/grants/${grantId}`, { token: adminToken })).status).toBe(404);
      expect((await api.call('DELETE', '/api/v1/users/me/grants/not-a-uuid', { token: bob })).status).toBe(422);
      expect((await api.call('GET', '/api/v1/users/me/grants')).status).toBe(401);
    });

    it('lets an admin list the grants of a user', async () => {
      const listed = await api.call('GET', `/admin/users/${server.user.id}/grants`, { token: adminToken });
      expect(listed.status).toBe(200);
      expect((listed.json as Grant[]).map((g) => g.grant_id)).toEqual([grantId]);
      const unknown = await api.call('GET', '/admin/users/00000000-0000-4000-8000-000000000000/grants', { token: adminToken });
      expect(unknown.status).toBe(404);
      const noScope = await api.call('GET', `/admin/users/${server.user.id}/grants`, { token: first.access_token });
      expect(noScope.status).toBeGreaterThanOrEqual(401);
      expect(noScope.status).toBeLessThan(500);
    });

    it('revoking the grant with the user’s own token kills its tokens and unredeemed codes, and prompt=none then answers consent_required', async () => {
      // A code issued under the grant but not yet redeemed.
      const pending = await request('openid', { prompt: 'none' });
      const pendingLocation = await silently(pending.url);
      expect(pendingLocation.searchParams.get('code')).toBeTruthy();

      const revoked = await api.call('DELETE', `/api/v1/users/me/grants/${grantId}`, { token: first.access_token });
      expect(revoked.status).toBe(204);
      expect((await introspect(server, first.access_token)).active).toBe(false);
      expect((await introspect(server, first.refresh_token!)).active).toBe(false);
      await expect(pending.redeem(pendingLocation.toString())).rejects.toThrow();

      const none = await request('openid profile', { prompt: 'none' });
      expect((await silently(none.url)).searchParams.get('error')).toBe('consent_required');
      // The revoked grant is gone from the listing, and a second revocation is 404.
      const admin = await api.call('GET', `/admin/users/${server.user.id}/grants`, { token: adminToken });
      expect(admin.json).toEqual([]);
      expect((await api.call('DELETE', `/admin/users/${server.user.id}/grants/${grantId}`, { token: adminToken })).status).toBe(404);
    });

    it('an admin revokes a grant given again', async () => {
      const { url, redeem } = await request('openid', { prompt: 'consent' });
      const page = await loginThroughForm(url.toString(), { username: server.user.username, password: server.password });
      const tokens = await redeem(page.headers.get('location')!);
      const [grant] = (await api.call('GET', `/admin/users/${server.user.id}/grants`, { token: adminToken })).json as Grant[];
      expect(grant?.grant_id).not.toBe(grantId);
      const revoked = await api.call('DELETE', `/admin/users/${server.user.id}/grants/${grant!.grant_id}`, { token: adminToken });
      expect(revoked.status).toBe(204);
      expect((await introspect(server, tokens.access_token)).active).toBe(false);
    });
  });
}
