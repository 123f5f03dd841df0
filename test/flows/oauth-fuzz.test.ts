import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/app.js';
import { loginThroughForm } from '../helpers/login-form.js';
import { authorizationUrl, pkcePair } from '../helpers/oauth-flow.js';

/** Every OAuth endpoint, with the methods it answers. */
const ENDPOINTS = [
  { method: 'GET', url: '/api/v1/oauth/authorize' },
  { method: 'POST', url: '/api/v1/oauth/authorize' },
  { method: 'POST', url: '/api/v1/oauth/token' },
  { method: 'POST', url: '/api/v1/oauth/refresh' },
  { method: 'POST', url: '/api/v1/oauth/revoke' },
  { method: 'POST', url: '/api/v1/oauth/introspect' },
  { method: 'POST', url: '/api/v1/oauth/par' },
  { method: 'GET', url: '/.well-known/oauth-authorization-server' },
  { method: 'GET', url: '/api/v1/users/me/grants' },
  { method: 'DELETE', url: '/api/v1/users/me/grants/00000000-0000-4000-8000-000000000000' },
] as const;

const FIELDS = [
  'grant_type', 'code', 'redirect_uri', 'code_verifier', 'client_id', 'client_secret', 'refresh_token', 'scope',
  'username', 'password', 'token', 'token_type_hint', 'response_type', 'code_challenge', 'code_challenge_method',
  'state', 'nonce', 'response_mode', 'prompt', 'max_age', 'approved', 'csrf_token',
  'request_uri', 'client_assertion', 'client_assertion_type', 'dpop_jkt', 'pushed_request',
];
const GRANTS = ['authorization_code', 'refresh_token', 'client_credentials', 'password', 'implicit', ''];

/** Field values: plausible ones, junk, huge strings, long lists and control characters. */
const value = fc.oneof(
  fc.constantFrom(...GRANTS, 'S256', 'plain', 'code', 'token', 'none', 'true', '-1', '1e309', 'null'),
  fc.string({ maxLength: 50 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ minLength: 5000, maxLength: 20000 }),
  // Long space-separated lists (scope, ui_locales, acr_values): bounded before any query.
  fc.integer({ min: 40, max: 4000 }).map((n) => Array.from({ length: n }, (_, i) => `s${i}`).join(' ')),
);
const form = fc.dictionary(fc.constantFrom(...FIELDS), value, { maxKeys: 8 });
const jsonBody = fc.oneof(fc.jsonValue(), form.map((f) => JSON.stringify(f)).map((s) => JSON.parse(s) as unknown));

/** Bodies as a client could send them: forms (some repeated keys), JSON of any shape, raw bytes. */
const payload = fc.oneof(
  form.map((f) => ({ type: 'application/x-www-form-urlencoded', body: new URLSearchParams(f).toString() })),
  fc.array(fc.tuple(fc.constantFrom(...FIELDS), value), { maxLength: 6 }).map((pairs) => ({
    type: 'application/x-www-form-urlencoded',
    body: pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&'),
  })),
  jsonBody.map((j) => ({ type: 'application/json', body: JSON.stringify(j) ?? 'null' })),
  fc.uint8Array({ maxLength: 300 }).map((bytes) => ({ type: fc.sample(fc.constantFrom('application/json', 'application/x-www-form-urlencoded', 'text/plain', 'application/octet-stream'), 1)[0]!, body: Buffer.from(bytes) })),
);
const authorization = fc.option(
  fc.oneof(
    fc.string({ maxLength: 80 }).map((s) => `Basic ${Buffer.from(s).toString('base64')}`),
    fc.string({ maxLength: 80 }).map((s) => `Bearer ${s}`),
    fc.string({ maxLength: 80 }).map((s) => `DPoP ${s}`),
    fc.string({ maxLength: 80 }),
  ),
  { nil: undefined },
);

/** `Host` header values: malformed, foreign, loopback, huge, control characters and non-ASCII. */
const hostHeader = fc.oneof(
  fc.constantFrom('a b', '[', ']', '[::1', '[::1]:', 'host:99999', 'host:0', 'host:-1', ':80', 'evil.example', 'localhost', '127.0.0.1:8000', '[::1]:8000', 'user@host', 'host/path', 'host?q', 'host#f', '%00', '..', 'a..b'),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ minLength: 250, maxLength: 400 }),
  fc.tuple(fc.domain(), fc.integer({ min: -1, max: 70_000 })).map(([name, port]) => `${name}:${port}`),
);

/** Every route that builds a URL from the request, with the OAuth ones above. */
const HOST_ENDPOINTS = [
  ...ENDPOINTS,
  { method: 'GET', url: '/.well-known/openid-configuration' },
  { method: 'GET', url: '/.well-known/jwks.json' },
  { method: 'GET', url: '/oidc/frontchannel/logout?iss=http://localhost' },
  { method: 'GET', url: '/api/v1/oidc/frontchannel/logout' },
  { method: 'GET', url: '/oidc/logout' },
  { method: 'GET', url: '/oidc/userinfo' },
  { method: 'GET', url: '/health' },
  { method: 'POST', url: '/api/v1/users' },
] as const;

/** `DPoP` header values: junk, JWS-shaped junk with headers a proof parser looks at, repeated headers. */
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const dpopHeader = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.tuple(fc.jsonValue(), fc.jsonValue(), fc.string({ maxLength: 40 })).map(([h, p, s]) => `${b64(h)}.${b64(p)}.${s}`),
  fc
    .tuple(fc.constantFrom('ES256', 'RS256', 'none', 'HS256', 'EdDSA'), fc.jsonValue(), fc.jsonValue())
    .map(([alg, jwk, p]) => `${b64({ typ: 'dpop+jwt', alg, jwk })}.${b64(p)}.AAAA`),
  fc.array(fc.string({ maxLength: 20 }), { minLength: 2, maxLength: 3 }),
);

/** The routes that read a DPoP proof. */
const DPOP_ENDPOINTS = [
  { method: 'POST', url: '/api/v1/oauth/token' },
  { method: 'POST', url: '/api/v1/oauth/par' },
  { method: 'GET', url: '/oidc/userinfo' },
  { method: 'GET', url: '/api/v1/users/me' },
] as const;

function countRows(file: string): Record<string, number> {
  const db = new BetterSqlite3(file, { readonly: true });
  try {
    const out: Record<string, number> = {};
    for (const table of ['users', 'oauth_clients', 'tokens', 'oauth_authorization_codes', 'oauth_scopes', 'oidc_jwks_keys', 'oauth_consents']) {
      out[table] = (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    }
    return out;
  } finally {
    db.close();
  }
}

describe('fuzzing the OAuth endpoints', () => {
  let server: TestServer;
  let dbFile: string;

  beforeAll(async () => {
    server = await startTestServer('sqlite');
    dbFile = path.join(path.dirname((server.app.container.config.database.sqlite.path)), 'authly.db');
  });
  afterAll(async () => server?.close());

  it('never answers 5xx and never writes, whatever the method, body, query or credentials', async () => {
    const before = countRows(dbFile);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ENDPOINTS), payload, form, authorization, async (endpoint, body, query, auth) => {
        const response = await server.app.server.inject({
          method: endpoint.method,
          url: `${endpoint.url}?${new URLSearchParams(query).toString()}`,
          headers: { 'content-type': body.type, ...(auth ? { authorization: auth } : {}) },
          ...(endpoint.method === 'POST' ? { payload: body.body } : {}),
        });
        expect(response.statusCode, `${endpoint.method} ${endpoint.url} → ${response.statusCode} ${response.body.slice(0, 300)}`).toBeLessThan(500);
      }),
      { numRuns: 400 },
    );
    expect(countRows(dbFile)).toEqual(before);
  });

  it('never answers 5xx to an authorization request from a signed-in browser with remembered consent, whatever its parameters', async () => {
    // A live session and a consent for the confidential client, so fuzzed requests reach the
    // remembered-consent path (prompt=none, prompt=consent, wider scopes, max_age, …).
    const challenge = pkcePair().challenge;
    const base = { client_id: server.confidential.client.clientId, redirect_uri: server.redirectUri, response_type: 'code', scope: 'openid read', code_challenge: challenge };
    const login = await loginThroughForm(authorizationUrl(server, base), { username: server.user.username, password: server.password });
    const cookie = login.headers.getSetCookie().find((c) => c.startsWith('authly_session='))!.split(';')[0]!;
    const params = fc.record(
      {
        scope: fc.oneof(fc.constantFrom('openid', 'openid read', 'openid email', 'offline_access openid', ''), value),
        prompt: fc.oneof(fc.constantFrom('none', 'consent', 'login', 'none consent', ''), value),
        max_age: fc.oneof(fc.constantFrom('0', '3600', '-1', 'x'), value),
        nonce: value,
        state: value,
        response_mode: fc.constantFrom('query', 'fragment', 'form_post', 'x'),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(params, async (extra) => {
        const response = await server.app.server.inject({
          method: 'GET',
          url: `/api/v1/oauth/authorize?${new URLSearchParams({ ...base, ...extra }).toString()}`,
          headers: { cookie },
        });
        expect(response.statusCode, `${JSON.stringify(extra).slice(0, 300)} → ${response.body.slice(0, 300)}`).toBeLessThan(500);
      }),
      { numRuns: 200 },
    );
  });

  it('never answers 5xx to any DPoP header or DPoP-scheme token', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...DPOP_ENDPOINTS), dpopHeader, payload, authorization, async (endpoint, dpop, body, auth) => {
        const response = await server.app.server.inject({
          method: endpoint.method,
          url: endpoint.url,
          headers: { 'content-type': body.type, dpop: Array.isArray(dpop) ? dpop : dpop.replace(/[\r\n]/g, ''), ...(auth ? { authorization: auth } : {}) },
          ...(endpoint.method === 'POST' ? { payload: body.body } : {}),
        });
        expect(response.statusCode, `${endpoint.method} ${endpoint.url} → ${response.statusCode} ${response.body.slice(0, 300)}`).toBeLessThan(500);
      }),
      { numRuns: 300 },
    );
  });

  it('never answers 5xx to any Host header, on any route that derives a URL from the request', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...HOST_ENDPOINTS), hostHeader, payload, async (endpoint, host, body) => {
        const response = await server.app.server.inject({
          method: endpoint.method,
          url: endpoint.url,
          // A header value cannot carry CR or LF on the wire.
          headers: { host: host.replace(/[\r\n]/g, ''), 'content-type': body.type },
          ...(endpoint.method === 'POST' ? { payload: body.body } : {}),
        });
        expect(response.statusCode, `${endpoint.method} ${endpoint.url} Host ${JSON.stringify(host)} → ${response.body.slice(0, 300)}`).toBeLessThan(500);
      }),
      { numRuns: 300 },
    );
  });
});
