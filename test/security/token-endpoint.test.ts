import bcrypt from 'bcryptjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '../../src/domain/client.js';
import { startTestServer, type TestBackend, type TestServer } from '../helpers/app.js';
import { basicAuth, introspect, obtainCode, tokenRequest } from '../helpers/oauth-flow.js';
import { hasPostgres } from '../helpers/services.js';

/*
 * Attacks on the token endpoint and its neighbours (revocation, introspection, RP-initiated
 * logout), each sent over HTTP to the real application.
 */

const BACKENDS: { backend: TestBackend; enabled: boolean }[] = [
  { backend: 'sqlite', enabled: true },
  { backend: 'postgresql', enabled: hasPostgres },
];

type Answer = { status: number; body: Record<string, unknown>; headers: Headers };
type Credentials = { id: string; secret: string };

/** POSTs a form (or JSON) to an OAuth endpoint, optionally with HTTP Basic credentials. */
async function post(server: TestServer, path: string, body: Record<string, string>, basic?: Credentials, json = false): Promise<Answer> {
  const headers: Record<string, string> = { 'content-type': json ? 'application/json' : 'application/x-www-form-urlencoded' };
  if (basic) headers.authorization = basicAuth(basic.id, basic.secret);
  const response = await fetch(`${server.url}/api/v1/oauth/${path}`, {
    method: 'POST',
    headers,
    body: json ? JSON.stringify(body) : new URLSearchParams(body),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown>, headers: response.headers };
}

function expectInvalidClient(answer: Answer): void {
  expect(answer.status, JSON.stringify(answer.body)).toBe(401);
  expect(answer.body.error).toBe('invalid_client');
  expect(answer.headers.get('www-authenticate')).toMatch(/^Basic /);
}

/** Code + PKCE for a client, exchanged for tokens (a public client names itself with client_id). */
async function tokensFor(server: TestServer, client: Client, secret: string | undefined, scope = 'openid read offline_access'): Promise<Record<string, string>> {
  const { code, verifier } = await obtainCode(server, client.clientId, { scope });
  const form = { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: server.redirectUri };
  const answer = secret
    ? await tokenRequest(server, form, { id: client.clientId, secret })
    : await tokenRequest(server, { ...form, client_id: client.clientId });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body as Record<string, string>;
}

for (const { backend, enabled } of BACKENDS) {
  describe.skipIf(!enabled)(`token endpoint, revocation, introspection and logout under attack (${backend})`, () => {
    let server: TestServer;
    let rp: { client: Client; secret: string };
    let other: { client: Client; secret: string };
    let spa: Client;

    beforeAll(async () => {
      server = await startTestServer(backend, {
        // A cache in front of the clients: the bcrypt upgrade must reach what the cache serves.
        AUTHLY_CACHE__BACKEND: 'memory',
        // Every request here comes from 127.0.0.1; the throttle has its own suite below.
        AUTHLY_RATE_LIMIT__CLIENT_AUTH_FAILURES_PER_IP: '1000',
        AUTHLY_RATE_LIMIT__LOGIN_PER_USERNAME: '1000',
      });
      const grants = ['authorization_code', 'refresh_token', 'client_credentials'];
      const made = await server.addClient({ scope: 'openid read offline_access', grantTypes: grants });
      rp = { client: made.client, secret: made.secret! };
      const second = await server.addClient({ scope: 'openid read offline_access', grantTypes: grants });
      other = { client: second.client, secret: second.secret! };
      spa = (await server.addClient({ clientType: 'public', scope: 'openid read offline_access' })).client;
    });
    afterAll(async () => server?.close());

    const wrong = (c: { client: Client }) => ({ id: c.client.clientId, secret: 'not-the-secret' });

    describe('the client authenticates before any grant parameter is judged (RFC 6749 §3.2.1, §5.2)', () => {
      it.each([
        ['authorization_code without a code', { grant_type: 'authorization_code' }],
        ['authorization_code with a made-up code', { grant_type: 'authorization_code', code: 'x', code_verifier: 'y', redirect_uri: 'http://127.0.0.1:9/callback' }],
        ['refresh_token without a token', { grant_type: 'refresh_token' }],
        ['password without username or password', { grant_type: 'password' }],
        ['client_credentials with an unregistered scope', { grant_type: 'client_credentials', scope: 'admin:users:write' }],
        ['an unsupported grant type', { grant_type: 'urn:example:magic' }],
      ])('answers a wrong secret with 401 invalid_client for %s', async (_name, form) => {
        expectInvalidClient(await tokenRequest(server, form, wrong(rp)) as Answer);
      });

      it('answers a wrong client_secret_post secret with 401 before looking at the code', async () => {
        const made = await server.addClient({ tokenEndpointAuthMethod: 'client_secret_post' });
        const answer = await tokenRequest(server, { grant_type: 'authorization_code', client_id: made.client.clientId, client_secret: 'nope' });
        expectInvalidClient(answer as Answer);
      });

      it('does not let a wrong secret spend or revoke the refresh token it presents', async () => {
        const issued = await tokensFor(server, rp.client, rp.secret);
        const attack = await tokenRequest(server, { grant_type: 'refresh_token', refresh_token: issued.refresh_token! }, wrong(rp));
        expectInvalidClient(attack as Answer);
        const json = await post(server, 'refresh', { refresh_token: issued.refresh_token! }, wrong(rp), true);
        expectInvalidClient(json);
        const genuine = await tokenRequest(server, { grant_type: 'refresh_token', refresh_token: issued.refresh_token! }, { id: rp.client.clientId, secret: rp.secret });
        expect(genuine.status).toBe(200);
      });

      it("answers Authly's JSON refresh with a foreign grant_type by 401 for a wrong secret, else 400 unsupported_grant_type", async () => {
        expectInvalidClient(await post(server, 'refresh', { grant_type: 'password', refresh_token: 'x' }, wrong(rp), true));
        const anonymous = await post(server, 'refresh', { grant_type: 'password', refresh_token: 'x' }, undefined, true);
        expect(anonymous).toMatchObject({ status: 400, body: { error: 'unsupported_grant_type', error_description: 'The authorization grant type is not supported' } });
      });

      it('still lets the password grant name no client at all (the admin CLI logs in so)', async () => {
        const login = await tokenRequest(server, { grant_type: 'password', username: server.user.username, password: server.password });
        expect(login.status).toBe(200);
        const missing = await tokenRequest(server, { grant_type: 'password', username: server.user.username });
        expect(missing).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
      });
    });

    describe("Authly's bcrypt client secrets", () => {
      it('are upgraded to the HMAC form on the first success, through the cache, and keep working', async () => {
        const secret = 'imported-authly-secret-0123456789';
        const repos = server.app.container.repositories;
        const client = await repos.clients.create({
          clientId: `imported_${backend}_${Date.now()}`,
          clientName: 'Imported from Authly',
          clientType: 'confidential',
          redirectUris: [server.redirectUri],
          grantTypes: ['client_credentials'],
          scope: 'read',
          clientSecretHash: bcrypt.hashSync(secret, 4),
          tokenEndpointAuthMethod: 'client_secret_basic',
        });
        // Warm the cache with the bcrypt row.
        expect((await repos.clients.findByClientId(client.clientId))?.clientSecretHash).toMatch(/^\$2[aby]\$/);
        const basic = { id: client.clientId, secret };
        expectInvalidClient(await tokenRequest(server, { grant_type: 'client_credentials' }, { ...basic, secret: 'wrong' }) as Answer);
        expect((await repos.clients.findById(client.id))?.clientSecretHash).toMatch(/^\$2[aby]\$/);

        expect((await tokenRequest(server, { grant_type: 'client_credentials' }, basic)).status).toBe(200);
        expect((await repos.clients.findByClientId(client.clientId))?.clientSecretHash).toMatch(/^hmac-sha256\$/);
        expect((await tokenRequest(server, { grant_type: 'client_credentials' }, basic)).status).toBe(200);
        expectInvalidClient(await tokenRequest(server, { grant_type: 'client_credentials' }, { ...basic, secret: 'wrong' }) as Answer);
      });
    });

    describe('introspection needs an authenticated confidential client (RFC 7662 §2.1)', () => {
      it('answers 401 invalid_client without credentials, with a wrong secret, and to a public client', async () => {
        const issued = await tokensFor(server, rp.client, rp.secret);
        expectInvalidClient(await post(server, 'introspect', { token: issued.access_token! }));
        expectInvalidClient(await post(server, 'introspect', { token: issued.access_token! }, wrong(rp)));
        expectInvalidClient(await post(server, 'introspect', { token: issued.access_token!, client_id: spa.clientId }));
        expectInvalidClient(await post(server, 'introspect', { token: issued.access_token! }, undefined, true));
      });

      it("answers a resource server that authenticates, also about another client's token", async () => {
        const issued = await tokensFor(server, rp.client, rp.secret);
        const answer = await post(server, 'introspect', { token: issued.access_token! }, { id: other.client.clientId, secret: other.secret });
        expect(answer).toMatchObject({ status: 200, body: { active: true, client_id: rp.client.clientId, sub: server.user.id } });
      });
    });

    describe('revocation touches only the caller\'s own tokens (RFC 7009 §2.1)', () => {
      it("leaves another client's token alive, whether the caller authenticates as another client or names none", async () => {
        const issued = await tokensFor(server, rp.client, rp.secret);
        for (const token of [issued.access_token!, issued.refresh_token!]) {
          const foreign = await post(server, 'revoke', { token }, { id: other.client.clientId, secret: other.secret });
          expect(foreign).toMatchObject({ status: 200, body: { message: 'Token revocation processed successfully' } });
          const anonymous = await post(server, 'revoke', { token }, undefined, true);
          expect(anonymous.status).toBe(200);
          const publicCaller = await post(server, 'revoke', { token, client_id: spa.clientId });
          expect(publicCaller.status).toBe(200);
        }
        expect(await introspect(server, issued.access_token!)).toMatchObject({ active: true });
        expect(await introspect(server, issued.refresh_token!)).toMatchObject({ active: true });
      });

      it('refuses a confidential client that does not authenticate, and revokes nothing', async () => {
        const issued = await tokensFor(server, rp.client, rp.secret);
        expectInvalidClient(await post(server, 'revoke', { token: issued.access_token! }, wrong(rp)));
        expectInvalidClient(await post(server, 'revoke', { token: issued.access_token!, client_id: rp.client.clientId }));
        expect(await introspect(server, issued.access_token!)).toMatchObject({ active: true });
      });

      it("revokes the owner's refresh token with its whole grant, and a public client's token by client_id", async () => {
        const issued = await tokensFor(server, rp.client, rp.secret);
        expect((await post(server, 'revoke', { token: issued.refresh_token! }, { id: rp.client.clientId, secret: rp.secret })).status).toBe(200);
        expect(await introspect(server, issued.access_token!)).toEqual({ active: false });
        expect(await introspect(server, issued.refresh_token!)).toEqual({ active: false });
        const spaTokens = await tokensFor(server, spa, undefined);
        expect((await post(server, 'revoke', { token: spaTokens.access_token!, client_id: spa.clientId })).status).toBe(200);
        expect(await introspect(server, spaTokens.access_token!)).toEqual({ active: false });
      });

      it("revokes a client-less login's tokens without credentials (the admin CLI's logout), but not for a client", async () => {
        const login = (await tokenRequest(server, { grant_type: 'password', username: server.user.username, password: server.password })).body;
        await post(server, 'revoke', { token: login.access_token as string }, { id: rp.client.clientId, secret: rp.secret });
        expect(await introspect(server, login.access_token as string)).toMatchObject({ active: true });
        await post(server, 'revoke', { token: login.access_token as string, token_type_hint: 'access_token' }, undefined, true);
        expect(await introspect(server, login.access_token as string)).toEqual({ active: false });
      });
    });

    describe('RP-initiated logout (OIDC RP-Initiated Logout 1.0)', () => {
      const logoutUrl = (params: Record<string, string>) => `${server.url}/oidc/logout?${new URLSearchParams(params)}`;

      /** An ID token of ours for `client`, issued long ago: what a leaked old hint looks like. */
      async function oldIdToken(client: Client, expiredSecondsAgo: number): Promise<string> {
        const exp = Math.floor(Date.now() / 1000) - expiredSecondsAgo;
        return server.app.keystore.sign(
          { iss: server.url, sub: server.user.id, aud: client.clientId, azp: client.clientId, iat: exp - 900, exp },
          { typ: 'JWT', algorithm: 'RS256' },
        );
      }

      it("revokes only the hinted client's tokens of the user", async () => {
        const atRp = await tokensFor(server, rp.client, rp.secret);
        const atOther = await tokensFor(server, other.client, other.secret);
        const response = await fetch(logoutUrl({ id_token_hint: atRp.id_token! }), { redirect: 'manual' });
        expect(response.status).toBe(200);
        await response.text();
        expect(await introspect(server, atRp.access_token!)).toEqual({ active: false });
        expect(await introspect(server, atRp.refresh_token!)).toEqual({ active: false });
        expect(await introspect(server, atOther.access_token!)).toMatchObject({ active: true });
        expect(await introspect(server, atOther.refresh_token!)).toMatchObject({ active: true });
      });

      it('accepts a hint that expired within the browser session lifetime, and redirects', async () => {
        const atRp = await tokensFor(server, rp.client, rp.secret);
        const hint = await oldIdToken(rp.client, 3600);
        const response = await fetch(logoutUrl({ id_token_hint: hint, post_logout_redirect_uri: server.redirectUri, state: 's' }), { redirect: 'manual' });
        expect(response.status).toBe(302);
        expect(response.headers.get('location')).toBe(`${server.redirectUri}?state=s`);
        expect(await introspect(server, atRp.access_token!)).toEqual({ active: false });
      });

      it('treats a hint older than the grace window as no hint: no revocation, no redirect', async () => {
        const atRp = await tokensFor(server, rp.client, rp.secret);
        // tokens.session_expire_minutes is 720 by default: 12 hours and a minute past exp.
        const hint = await oldIdToken(rp.client, 720 * 60 + 60);
        const redirect = await fetch(logoutUrl({ id_token_hint: hint, post_logout_redirect_uri: server.redirectUri }), { redirect: 'manual' });
        expect(redirect.status).toBe(400);
        expect(redirect.headers.get('location')).toBeNull();
        await redirect.text();
        const page = await fetch(logoutUrl({ id_token_hint: hint }), { redirect: 'manual' });
        expect(page.status).toBe(200);
        await page.text();
        expect(await introspect(server, atRp.access_token!)).toMatchObject({ active: true });
        expect(await introspect(server, atRp.refresh_token!)).toMatchObject({ active: true });
      });
    });
  });
}

describe('failed client authentications are throttled (sqlite)', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer('sqlite', {
      AUTHLY_RATE_LIMIT__CLIENT_AUTH_FAILURES_PER_CLIENT: '3',
      AUTHLY_RATE_LIMIT__CLIENT_AUTH_FAILURES_PER_IP: '8',
      // The test connects from loopback; a trusted proxy lets it speak for other addresses.
      AUTHLY_SERVER__TRUSTED_PROXIES: '127.0.0.1',
    });
  });
  afterAll(async () => server?.close());

  async function confidential(hash?: (secret: string) => string): Promise<Credentials & { client: Client }> {
    const made = await server.addClient({ grantTypes: ['client_credentials'], scope: 'read' });
    if (hash) await server.app.container.repositories.clients.update(made.client.id, { clientSecretHash: hash(made.secret!) });
    return { id: made.client.clientId, secret: made.secret!, client: made.client };
  }

  function expectThrottled(answer: Answer): void {
    expect(answer.status, JSON.stringify(answer.body)).toBe(429);
    expect(answer.body.error).toBe('invalid_client');
    expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
  }

  it('refuses a client_id after repeated wrong secrets, even with the right one, at every endpoint', async () => {
    const target = await confidential();
    for (let i = 0; i < 3; i++) expectInvalidClient(await tokenRequest(server, { grant_type: 'client_credentials' }, { ...target, secret: `guess-${i}` }) as Answer);
    expectThrottled(await tokenRequest(server, { grant_type: 'client_credentials' }, target) as Answer);
    expectThrottled(await post(server, 'introspect', { token: 'x' }, target));
    expectThrottled(await post(server, 'revoke', { token: 'x' }, target));
    // Another client from the same address is not affected by this client's failures.
    const bystander = await confidential();
    expect((await tokenRequest(server, { grant_type: 'client_credentials' }, bystander)).status).toBe(200);
  });

  it('does not lock the client out at another address: the right secret from elsewhere still works', async () => {
    const target = await confidential();
    const from = (address: string) => ({ 'x-forwarded-for': address });
    for (let i = 0; i < 3; i++) {
      expectInvalidClient(await tokenRequest(server, { grant_type: 'client_credentials' }, { ...target, secret: `guess-${i}` }, from('203.0.113.7')) as Answer);
    }
    expectThrottled(await tokenRequest(server, { grant_type: 'client_credentials' }, target, from('203.0.113.7')) as Answer);
    expect((await tokenRequest(server, { grant_type: 'client_credentials' }, target, from('198.51.100.20'))).status).toBe(200);
  });

  it('starts at most the limit of slow bcrypt checks for one client, however many guesses arrive at once', async () => {
    const target = await confidential((secret) => bcrypt.hashSync(secret, 4));
    const guesses = await Promise.all(
      Array.from({ length: 10 }, (_, i) => tokenRequest(server, { grant_type: 'client_credentials' }, { ...target, secret: `guess-${i}` })),
    );
    expect(guesses.filter((g) => g.status === 401).length).toBeLessThanOrEqual(3);
    for (const g of guesses.filter((g) => g.status !== 401)) expectThrottled(g as Answer);
  });

  it('refuses an address after repeated failures spread over several client_ids', async () => {
    // Each client_id stays below its own limit; the address reaches its limit of 8 within 9 tries.
    let throttledAt: number | undefined;
    for (let i = 0; i < 9 && throttledAt === undefined; i++) {
      const victim = await confidential();
      const answer = (await tokenRequest(server, { grant_type: 'client_credentials' }, { ...victim, secret: 'guess' })) as Answer;
      if (answer.status === 429) throttledAt = i;
      else expectInvalidClient(answer);
    }
    expect(throttledAt).toBeDefined();
    const fresh = await confidential();
    expectThrottled(await tokenRequest(server, { grant_type: 'client_credentials' }, fresh) as Answer);
  });
});

describe('introspection reopened by configuration, as Authly served it (sqlite)', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer('sqlite', { AUTHLY_TOKENS__INTROSPECTION_REQUIRES_CLIENT_AUTH: 'false' });
  });
  afterAll(async () => server?.close());

  it('answers without credentials, but still refuses wrong ones', async () => {
    const login = (await tokenRequest(server, { grant_type: 'password', username: server.user.username, password: server.password })).body;
    const open = await post(server, 'introspect', { token: login.access_token as string });
    expect(open).toMatchObject({ status: 200, body: { active: true, sub: server.user.id } });
    const basic = { id: server.confidential.client.clientId, secret: 'wrong' };
    expectInvalidClient(await post(server, 'introspect', { token: login.access_token as string }, basic));
  });
});
