import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/app.js';
import { parseLoginForm } from '../helpers/login-form.js';
import { startAdminServer } from '../protection/api-client.js';
import { cryptoRandom } from '../../src/crypto/random.js';
import { LogoutDelivery } from '../../src/services/backchannel/logout-delivery.js';

const EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/** A relying party's back-channel logout endpoint on loopback, recording the logout tokens. */
class Receiver {
  readonly tokens: string[] = [];
  #server: http.Server | undefined;
  port = 0;

  async start(port = 0): Promise<void> {
    this.#server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        const token = new URLSearchParams(body).get('logout_token');
        if (req.method === 'POST' && token) this.tokens.push(token);
        res.writeHead(200, { 'cache-control': 'no-store' }).end();
      });
    });
    await new Promise<void>((resolve) => this.#server!.listen(port, '127.0.0.1', resolve));
    this.port = (this.#server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.#server?.close(resolve));
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/backchannel-logout`;
  }
}

/** Waits (bounded) until `check` holds; the notices are delivered in the background. */
async function eventually(check: () => Promise<boolean> | boolean, what: string): Promise<void> {
  for (let i = 0; i < 300; i += 1) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`never happened: ${what}`);
}

describe('OpenID Connect Back-Channel Logout 1.0', () => {
  let server: TestServer;
  let receiver: Receiver;
  let config: client.Configuration;
  let adminToken: string;

  beforeAll(async () => {
    receiver = new Receiver();
    await receiver.start();
    ({ server, adminToken } = await startAdminServer('sqlite', {
      AUTHLY_BACKCHANNEL_LOGOUT__ALLOW_PRIVATE_TARGETS: 'true',
      AUTHLY_BACKCHANNEL_LOGOUT__RETRY_BASE_SECONDS: '1',
      AUTHLY_BACKCHANNEL_LOGOUT__POLL_INTERVAL_MS: '100',
    }));
    await server.app.container.repositories.clients.update(server.confidential.client.id, { backchannelLogoutUri: receiver.url, backchannelLogoutSessionRequired: true });
    config = await client.discovery(new URL(server.url), server.confidential.client.clientId, undefined, client.ClientSecretBasic(server.confidential.secret), {
      execute: [client.allowInsecureRequests],
    });
  });
  afterAll(async () => {
    await server?.close();
    await receiver?.stop();
  });

  /** Code flow through the login form; returns the ID token and the browser's session cookie. */
  async function signIn(): Promise<{ idToken: string; sid: string; cookie: string }> {
    const verifier = client.randomPKCECodeVerifier();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: server.redirectUri,
      scope: 'openid',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: 'st',
    });
    const page = await fetch(url);
    const form = parseLoginForm(await page.text(), page, url.toString());
    const answer = await fetch(form.action, {
      method: 'POST',
      headers: { cookie: form.cookie },
      body: new URLSearchParams({ ...form.fields, username: server.user.username, password: server.password, approved: 'true' }),
      redirect: 'manual',
    });
    const cookie = answer.headers.getSetCookie().map((c) => c.split(';')[0]).filter((c) => c!.startsWith('authly_session=')).join('; ');
    const tokens = await client.authorizationCodeGrant(config, new URL(answer.headers.get('location')!), { pkceCodeVerifier: verifier, expectedState: 'st', idTokenExpected: true });
    return { idToken: tokens.id_token!, sid: tokens.claims()!.sid as string, cookie };
  }

  it('advertises back-channel logout', () => {
    expect(config.serverMetadata().backchannel_logout_supported).toBe(true);
    expect(config.serverMetadata().backchannel_logout_session_supported).toBe(true);
  });

  it('a logout at the server delivers a signed logout token whose aud, events, sid and sub verify', async () => {
    const { idToken, sid, cookie } = await signIn();
    expect(sid).toMatch(/^[A-Za-z0-9_-]{10,}$/);
    const before = receiver.tokens.length;
    const logout = await fetch(`${server.url}/api/v1/oidc/logout?id_token_hint=${idToken}`, { headers: { cookie }, redirect: 'manual' });
    expect(logout.status).toBe(200);
    await eventually(() => receiver.tokens.length > before, 'the logout token arrived');

    const token = receiver.tokens.at(-1)!;
    expect(decodeProtectedHeader(token).typ).toBe('logout+jwt');
    const jwks = createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri!));
    const { payload } = await jwtVerify(token, jwks, { issuer: server.url, audience: server.confidential.client.clientId, typ: 'logout+jwt' });
    expect(payload.events).toEqual({ [EVENT]: {} });
    expect(payload.sid).toBe(sid);
    expect(payload.sub).toBe(server.user.id);
    expect(typeof payload.jti).toBe('string');
    expect(payload.exp! - payload.iat!).toBeLessThanOrEqual(300);
    expect(payload).not.toHaveProperty('nonce');
    expect(await server.app.container.repositories.backchannelLogout.pending()).toEqual([]);
  });

  it('a receiver that is down at first gets the notice after it comes back (retries from the outbox)', async () => {
    const { sid } = await signIn();
    const port = receiver.port;
    await receiver.stop();
    const before = receiver.tokens.length;
    // An administrator ends the user's sessions (the same path as a password reset or a deactivation).
    const revoked = await fetch(`${server.url}/admin/users/${server.user.id}/sessions`, { method: 'DELETE', headers: { authorization: `Bearer ${adminToken}` } });
    expect(revoked.status).toBe(200);
    const outbox = server.app.container.repositories.backchannelLogout;
    await eventually(async () => (await outbox.pending()).some((n) => n.sid === sid && n.attempts >= 1), 'a failed first attempt');
    expect((await outbox.pending())[0]!.lastError).toBeTruthy();

    await receiver.start(port);
    await eventually(() => receiver.tokens.length > before, 'the retried logout token arrived');
    const jwks = createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri!));
    const { payload } = await jwtVerify(receiver.tokens.at(-1)!, jwks, { audience: server.confidential.client.clientId });
    expect(payload.sid).toBe(sid);
    await eventually(async () => (await outbox.pending()).length === 0, 'the outbox emptied');
  });

  it('a notice queued while no worker runs is delivered by the next one (the outbox survives a restart)', async () => {
    const { sid, cookie } = await signIn();
    await server.app.logoutDelivery!.stop();
    const before = receiver.tokens.length;
    await fetch(`${server.url}/api/v1/oidc/logout`, { headers: { cookie } });
    const outbox = server.app.container.repositories.backchannelLogout;
    expect((await outbox.pending()).map((n) => n.sid)).toEqual([sid]);
    expect(receiver.tokens.length).toBe(before);

    // A new worker, as a restarted process builds it, over the same database and keys.
    const restarted = new LogoutDelivery({
      repos: server.app.container.repositories,
      keystore: server.app.keystore,
      clock: { now: () => new Date() },
      random: cryptoRandom,
      logger: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
      settings: { allowPrivateTargets: true, timeoutMs: 5000, maxAttempts: 3, retryBaseSeconds: 1, pollIntervalMs: 100 },
    });
    await restarted.runOnce();
    expect(receiver.tokens.length).toBe(before + 1);
    expect(await outbox.pending()).toEqual([]);
  });
});

describe('Back-Channel Logout: the SSRF guard', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer('sqlite', { AUTHLY_BACKCHANNEL_LOGOUT__POLL_INTERVAL_MS: '100', AUTHLY_BACKCHANNEL_LOGOUT__RETRY_BASE_SECONDS: '60' });
  });
  afterAll(async () => server?.close());

  it('never posts to a loopback address unless allow_private_targets is set', async () => {
    const receiver = new Receiver();
    await receiver.start();
    try {
      const repos = server.app.container.repositories;
      await repos.clients.update(server.confidential.client.id, { backchannelLogoutUri: receiver.url });
      await repos.backchannelLogout.recordSession({ sid: 'sid-1', clientId: server.confidential.client.id, userId: server.user.id, issuer: server.url }, new Date());
      await repos.backchannelLogout.enqueueForUser(server.user.id, new Date());
      await eventually(async () => (await repos.backchannelLogout.pending()).some((n) => n.attempts >= 1), 'a refused attempt');
      const [notice] = await repos.backchannelLogout.pending();
      expect(notice!.lastError).toMatch(/not a public address/);
      expect(receiver.tokens).toEqual([]);
    } finally {
      await receiver.stop();
    }
  });
});
