import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestBackend, type TestServer } from '../helpers/app.js';
import { loginThroughForm } from '../helpers/login-form.js';
import { hasPostgres } from '../helpers/services.js';

const insecure = { [oauth.allowInsecureRequests]: true } as const;

for (const backend of ['sqlite', 'postgresql'] as TestBackend[]) {
  describe.skipIf(backend === 'postgresql' && !hasPostgres)(`authorization code + PKCE through the login page (${backend})`, () => {
    let server: TestServer;
    let as: oauth.AuthorizationServer;

    beforeAll(async () => {
      server = await startTestServer(backend);
      const issuer = new URL(server.url);
      as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...insecure }));
    });
    afterAll(async () => server?.close());

    async function authorize(client: oauth.Client, scope: string): Promise<{ params: URLSearchParams; verifier: string }> {
      const verifier = oauth.generateRandomCodeVerifier();
      const state = oauth.generateRandomState();
      const url = new URL(as.authorization_endpoint!);
      url.search = new URLSearchParams({
        client_id: client.client_id,
        redirect_uri: server.redirectUri,
        response_type: 'code',
        scope,
        state,
        code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
      }).toString();
      const redirect = await loginThroughForm(url.toString(), { username: server.user.username, password: server.password });
      expect(redirect.status).toBe(302);
      const params = oauth.validateAuthResponse(as, client, new URL(redirect.headers.get('location')!), state);
      return { params, verifier };
    }

    it('discovers absolute endpoints under the issuer', () => {
      expect(as.issuer).toBe(server.url);
      expect(as.token_endpoint).toBe(`${server.url}/api/v1/oauth/token`);
      expect(as.code_challenge_methods_supported).toEqual(['S256']);
    });

    it('runs code + PKCE for a confidential client, then refreshes, introspects and revokes', async () => {
      const client: oauth.Client = { client_id: server.confidential.client.clientId };
      const auth = oauth.ClientSecretBasic(server.confidential.secret);
      const { params, verifier } = await authorize(client, 'read write');

      const tokenResponse = await oauth.authorizationCodeGrantRequest(as, client, auth, params, server.redirectUri, verifier, insecure);
      expect(tokenResponse.headers.get('cache-control')).toBe('no-store');
      const tokens = await oauth.processAuthorizationCodeResponse(as, client, tokenResponse);
      expect(tokens.token_type).toBe('bearer');
      expect(tokens.scope).toBe('read write');
      expect(tokens.refresh_token).toBeTypeOf('string');

      const refreshed = await oauth.processRefreshTokenResponse(
        as,
        client,
        await oauth.refreshTokenGrantRequest(as, client, auth, tokens.refresh_token!, insecure),
      );
      expect(refreshed.access_token).not.toBe(tokens.access_token);
      expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);

      const introspection = await oauth.processIntrospectionResponse(
        as,
        client,
        await oauth.introspectionRequest(as, client, auth, refreshed.access_token, insecure),
      );
      expect(introspection).toMatchObject({ active: true, scope: 'read write', sub: server.user.id, client_id: client.client_id, username: server.user.username });

      await oauth.processRevocationResponse(await oauth.revocationRequest(as, client, auth, refreshed.refresh_token!, insecure));
      for (const token of [refreshed.refresh_token!, refreshed.access_token]) {
        const after = await oauth.processIntrospectionResponse(as, client, await oauth.introspectionRequest(as, client, auth, token, insecure));
        expect(after).toEqual({ active: false });
      }
    });

    it('runs code + PKCE for a public client, which refreshes with its client_id only', async () => {
      const client: oauth.Client = { client_id: server.publicClient.clientId, token_endpoint_auth_method: 'none' };
      const auth = oauth.None();
      const { params, verifier } = await authorize(client, 'read');
      const tokens = await oauth.processAuthorizationCodeResponse(
        as,
        client,
        await oauth.authorizationCodeGrantRequest(as, client, auth, params, server.redirectUri, verifier, insecure),
      );
      const refreshed = await oauth.processRefreshTokenResponse(
        as,
        client,
        await oauth.refreshTokenGrantRequest(as, client, auth, tokens.refresh_token!, insecure),
      );
      expect(refreshed.scope).toBe('read');
    });

    it('issues client_credentials tokens to a confidential client without a refresh token', async () => {
      const client: oauth.Client = { client_id: server.confidential.client.clientId };
      const response = await oauth.clientCredentialsGrantRequest(
        as,
        client,
        oauth.ClientSecretBasic(server.confidential.secret),
        new URLSearchParams({ scope: 'read' }),
        insecure,
      );
      const tokens = await oauth.processClientCredentialsResponse(as, client, response);
      expect(tokens.scope).toBe('read');
      expect(tokens.refresh_token).toBeUndefined();
    });
  });
}
