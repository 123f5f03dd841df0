import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestBackend, type TestServer } from '../helpers/app.js';
import { loginThroughForm } from '../helpers/login-form.js';
import { hasPostgres } from '../helpers/services.js';
import { captureLog, type CapturedLog } from './capture-log.js';

const insecure = { [oauth.allowInsecureRequests]: true } as const;

for (const backend of ['sqlite', 'postgresql'] as TestBackend[]) {
  describe.skipIf(backend === 'postgresql' && !hasPostgres)(`audit events of a full code flow (${backend}, database sink)`, () => {
    let server: TestServer;
    let log: CapturedLog;
    let as: oauth.AuthorizationServer;

    beforeAll(async () => {
      log = captureLog();
      server = await startTestServer(backend, { AUTHLY_AUDIT__SINK: 'database' }, { logger: log.logger });
      const issuer = new URL(server.url);
      as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...insecure }));
    });
    afterAll(async () => server?.close());

    it('logs and stores the documented events, and no line holds a secret the flow used', async () => {
      const client: oauth.Client = { client_id: server.confidential.client.clientId };
      const auth = oauth.ClientSecretBasic(server.confidential.secret);
      const clientId = client.client_id;
      const userId = server.user.id;
      const secrets: string[] = [server.password, server.confidential.secret];

      const verifier = oauth.generateRandomCodeVerifier();
      const state = oauth.generateRandomState();
      const url = new URL(as.authorization_endpoint!);
      url.search = new URLSearchParams({
        client_id: clientId,
        redirect_uri: server.redirectUri,
        response_type: 'code',
        scope: 'openid offline_access read',
        state,
        nonce: 'n-0S6_WzA2Mj',
        code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
      }).toString();

      const wrongPassword = 'Not-The-Password-7!';
      secrets.push(wrongPassword, verifier);
      await loginThroughForm(url.toString(), { username: server.user.username, password: wrongPassword });
      const redirect = await loginThroughForm(url.toString(), { username: server.user.username, password: server.password });
      expect(redirect.status).toBe(302);
      for (const cookie of redirect.headers.getSetCookie()) secrets.push(cookie.split(';')[0]!.split('=').slice(1).join('='));
      const params = oauth.validateAuthResponse(as, client, new URL(redirect.headers.get('location')!), state);
      const code = params.get('code')!;
      secrets.push(code);

      const codeResponse = await oauth.authorizationCodeGrantRequest(as, client, auth, params, server.redirectUri, verifier, insecure);
      const tokens = await oauth.processAuthorizationCodeResponse(as, client, codeResponse, { expectedNonce: 'n-0S6_WzA2Mj', requireIdToken: true });
      secrets.push(tokens.access_token, tokens.refresh_token!, tokens.id_token!);

      const refreshed = await oauth.processRefreshTokenResponse(as, client, await oauth.refreshTokenGrantRequest(as, client, auth, tokens.refresh_token!, insecure));
      secrets.push(refreshed.access_token, refreshed.refresh_token!);
      await oauth.processRevocationResponse(await oauth.revocationRequest(as, client, auth, refreshed.access_token, insecure));

      // Replays: the code a second time, the rotated refresh token again.
      const replayCode = await oauth.authorizationCodeGrantRequest(as, client, auth, params, server.redirectUri, verifier, insecure);
      expect(replayCode.status).toBe(400);
      const replayRefresh = await oauth.refreshTokenGrantRequest(as, client, auth, tokens.refresh_token!, insecure);
      expect(replayRefresh.status).toBe(400);

      await server.app.audit.flush();
      const events = log.audit();
      expect(events.map((e) => e.event)).toEqual([
        'login.failed',
        'login.succeeded',
        'token.issued',
        'token.issued',
        'token.revoked',
        'authorization_code.reused',
        'refresh_token.reused',
      ]);
      expect(events[0]).toMatchObject({ user_id: userId, client_id: clientId, details: { method: 'login_form', reason: 'wrong_password', username: server.user.username } });
      expect(events[1]).toMatchObject({ user_id: userId, client_id: clientId, details: { method: 'login_form' } });
      expect(events[2]).toMatchObject({ user_id: userId, client_id: clientId, details: { grant: 'authorization_code', algorithm: server.app.container.config.tokens.algorithm, refresh: true, scope: 'openid offline_access read' } });
      expect(events[3]).toMatchObject({ user_id: userId, client_id: clientId, details: { grant: 'refresh_token', algorithm: server.app.container.config.tokens.algorithm } });
      expect(events[4]).toMatchObject({ user_id: userId, client_id: clientId, details: { token_type: 'access' } });
      expect(events[5]).toMatchObject({ user_id: userId, client_id: clientId, level: 40 });
      expect(events[6]).toMatchObject({ user_id: userId, client_id: clientId, level: 40 });
      // Every audit line carries the request it happened in.
      for (const event of events) expect(event.reqId).toEqual(expect.any(String));

      // No line of the whole flow (request logs included) holds a credential.
      expect(log.lines.length).toBeGreaterThan(events.length);
      for (const line of log.lines) for (const secret of secrets) expect(line.includes(secret), `log line leaks a secret: ${line}`).toBe(false);

      const stored = await server.app.container.storage.auditEvents.list({ limit: 100, offset: 0 });
      expect(stored.map((e) => e.event).reverse()).toEqual(events.map((e) => e.event));
      expect(stored.every((e) => e.requestId !== null)).toBe(true);
      const storedText = JSON.stringify(stored);
      for (const secret of secrets) expect(storedText.includes(secret)).toBe(false);
    });
  });
}
