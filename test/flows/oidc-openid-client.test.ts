import { createHash } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestBackend, type TestServer } from '../helpers/app.js';
import { loginThroughForm } from '../helpers/login-form.js';
import { discoverConfidential, openIdRequest } from '../helpers/openid-client.js';
import { hasPostgres } from '../helpers/services.js';

for (const backend of ['sqlite', 'postgresql'] as TestBackend[]) {
  describe.skipIf(backend === 'postgresql' && !hasPostgres)(`OpenID Connect with openid-client, configured only by discovery (${backend})`, () => {
    let server: TestServer;
    let config: client.Configuration;

    beforeAll(async () => {
      server = await startTestServer(backend);
      await server.app.container.repositories.users.update(server.user.id, {
        familyName: 'Liddell',
        phoneNumber: '+47 12345678',
        address: { locality: 'Oslo', country: 'NO' },
      });
      config = await discoverConfidential(server);
      // Verify ID token signatures against our JWKS, not only trust the TLS channel.
      client.enableNonRepudiationChecks(config);
    });
    afterAll(async () => server?.close());

    async function signIn(scope: string) {
      const { url, nonce, redeem } = await openIdRequest(config, server.redirectUri, scope);
      const redirect = await loginThroughForm(url.toString(), { username: server.user.username, password: server.password });
      return { tokens: await redeem(redirect.headers.get('location')!), nonce };
    }

    it('completes code + PKCE, validates the ID token, calls UserInfo, refreshes and logs out', async () => {
      // OIDC Core §11: the refresh token below needs offline_access.
      const { tokens, nonce } = await signIn('openid profile email phone offline_access');
      const claims = tokens.claims()!;
      expect(claims).toMatchObject({ iss: server.url, sub: server.user.id, aud: server.confidential.client.clientId, nonce });
      expect(claims).toMatchObject({ name: 'Alice Liddell', email: server.user.email, email_verified: true, phone_number: '+47 12345678' });
      expect(claims.address).toBeUndefined();
      expect(typeof claims.auth_time).toBe('number');

      // at_hash (OIDC Core §3.1.3.6) and the signature, checked independently with jose.
      const jwks = createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri!));
      const { payload, protectedHeader } = await jwtVerify(tokens.id_token!, jwks, { issuer: server.url, audience: server.confidential.client.clientId });
      expect(protectedHeader.alg).toBe('RS256');
      const digest = createHash('sha256').update(tokens.access_token).digest();
      expect(payload.at_hash).toBe(digest.subarray(0, 16).toString('base64url'));

      const userinfo = await client.fetchUserInfo(config, tokens.access_token, server.user.id);
      expect(userinfo).toMatchObject({ sub: server.user.id, given_name: 'Alice', family_name: 'Liddell', email: server.user.email, phone_number: '+47 12345678', address: null });

      const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);
      expect(refreshed.access_token).not.toBe(tokens.access_token);
      expect(refreshed.claims()?.sub).toBe(server.user.id);

      const logoutUrl = client.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: server.redirectUri, state: 'bye' });
      expect(logoutUrl.pathname).toBe('/api/v1/oidc/logout');
      const logout = await fetch(logoutUrl, { redirect: 'manual' });
      expect(logout.status).toBe(302);
      expect(logout.headers.get('location')).toBe(`${server.redirectUri}?state=bye`);
      // Logout revokes the user's tokens.
      await expect(client.fetchUserInfo(config, refreshed.access_token, server.user.id)).rejects.toThrow();
    });

    it('publishes the same issuer and endpoints in both discovery documents', async () => {
      const oauthDoc = (await (await fetch(`${server.url}/.well-known/oauth-authorization-server`)).json()) as Record<string, unknown>;
      const oidcDoc = config.serverMetadata();
      for (const key of ['issuer', 'authorization_endpoint', 'token_endpoint'] as const) expect(oidcDoc[key]).toBe(oauthDoc[key]);
      expect(oidcDoc.id_token_signing_alg_values_supported).not.toContain('none');
      expect(oidcDoc.id_token_signing_alg_values_supported).not.toContain('HS256');
    });
  });
}
