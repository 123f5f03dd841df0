import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { createLogger } from '../../src/log/logger.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApplication, type Application } from '../../src/app/application.js';
import { loadConfig } from '../../src/config/index.js';
import type { TestBackend, TestServer } from '../helpers/app.js';
import { pkcePair } from '../helpers/oauth-flow.js';
import { hasPostgres } from '../helpers/services.js';
import { ADMIN_PASSWORD, startAdminServer, type ApiClient, type ApiResponse } from '../protection/api-client.js';

const REMOTE = '203.0.113.9';
const LOCALHOST_ONLY = { detail: 'Admin API access restricted to localhost only', error_code: 'ADMIN_API_LOCALHOST_ONLY' };
const DISABLED = { detail: 'Admin API is currently disabled', error_code: 'ADMIN_API_DISABLED' };

/**
 * Spellings of admin paths. Each one either reaches an admin handler through Fastify's router
 * (percent-decoding, `;` parameters, a trailing query) or is unknown to it but names an admin path
 * once decoded and normalised; all must meet the network filter, none may be served or be a 404.
 */
const ADMIN_SPELLINGS = [
  '/admin/users',
  '/%61dmin/users',
  '/adm%69n/users',
  '/%61%64%6d%69%6e/users',
  '/%41dmin/users',
  '/ADMIN/users',
  '/%2Fadmin/users',
  '/%2fadmin/users',
  '/admin%2Fusers',
  '/admin%2fusers',
  '//admin/users',
  '/./admin/users',
  '/admin/../admin/users',
  '/x/../admin/users',
  '/admin/users?x',
  '/admin/users;x=1',
  '/admin;x/users',
  '/admin/%75sers',
  '/%61dmin/users/',
  '/%61dmin/nope',
  '/%61dmin/health',
];

/** Sends one raw HTTP/1.1 request over TCP (no client library normalises the target) and returns the response. */
function rawRequest(url: string, requestLine: string, headers: Record<string, string | null> = {}, body = '', version = 'HTTP/1.1'): Promise<{ status: number; headers: string; body: string }> {
  const { hostname, port } = new URL(url);
  // A header given as null is left out.
  const head = Object.entries({ host: `${hostname}:${port}`, connection: 'close', ...headers } as Record<string, string | null>)
    .filter(([, value]) => value !== null)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  return new Promise((resolve, reject) => {
    // write, not end: a half-closed socket may be dropped before a slower answer is sent.
    const socket = net.connect(Number(port), hostname, () => socket.write(`${requestLine} ${version}\r\n${head}\r\n${body}`));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const split = text.indexOf('\r\n\r\n');
      resolve({ status: Number(text.slice(9, 12)), headers: text.slice(0, split), body: text.slice(split + 4) });
    });
  });
}

/** Starts the application with the given settings and a logger that records every line. */
async function startLogged(env: Record<string, string>): Promise<{ app: Application; lines: string[]; close(): Promise<void> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'authly-edge-'));
  const lines: string[] = [];
  const logger = createLogger({ level: 'info', json: true }, { write: (line: string) => lines.push(line) });
  const config = loadConfig({
    env: {
      AUTHLY_DATABASE__SQLITE__PATH: path.join(dir, 'authly.db'),
      AUTHLY_SECRETS__MASTER_KEY: randomBytes(32).toString('base64url'),
      AUTHLY_ADMIN_PASSWORD: ADMIN_PASSWORD,
      ...env,
    },
  });
  const app = await createApplication(config, { logger, version: 'test' });
  return {
    app,
    lines,
    async close() {
      await app.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

for (const backend of ['sqlite', 'postgresql'] as TestBackend[]) {
  describe.skipIf(backend === 'postgresql' && !hasPostgres)(`admin network filter on the matched route (${backend})`, () => {
    let server: TestServer;
    let api: ApiClient;
    let admin: string;

    beforeAll(async () => {
      ({ server, api, adminToken: admin } = await startAdminServer(backend));
    });
    afterAll(async () => server?.close());

    it.each(ADMIN_SPELLINGS)('refuses %s from a remote client with 403, even with an admin token', async (url) => {
      const res = await api.call('GET', url, { token: admin, remoteAddress: REMOTE });
      expect(res.status, res.body).toBe(403);
      expect(res.json).toEqual(LOCALHOST_ONLY);
    });

    it('refuses the admin-only /api/v1/users routes to a remote client, however spelt', async () => {
      for (const url of ['/api/v1/users/', `/api/v1/users/${server.user.id}`, `/api/v1/%75sers/${server.user.id}`, '/api/v1/users/?limit=5']) {
        const res = await api.call('GET', url, { token: admin, remoteAddress: REMOTE });
        expect(res.status, url).toBe(403);
        expect(res.json).toEqual(LOCALHOST_ONLY);
      }
      const put = await api.call('PUT', `/api/v1/users/${server.user.id}`, { token: admin, remoteAddress: REMOTE, body: { is_admin: true } });
      expect(put.status).toBe(403);
      expect((await server.app.container.repositories.users.findById(server.user.id))?.isAdmin).toBe(false);
    });

    it('still serves /users/me and registration to remote clients', async () => {
      expect((await api.call('GET', '/api/v1/users/me', { token: admin, remoteAddress: REMOTE })).status).toBe(200);
      const registered = await api.call('POST', '/api/v1/users/', { remoteAddress: REMOTE, body: { username: `remote_${backend}`, email: `remote_${backend}@example.com`, password: 'long-enough-1' } });
      expect(registered.status).toBe(201);
    });

    it('refuses an absolute-form request target sent over a raw socket (a trusted proxy forwards a remote client)', async () => {
      // The proxy setting makes a loopback socket stand for a remote client, so a raw TCP test can be remote.
      const proxied = await startAdminServer(backend, { AUTHLY_SERVER__TRUSTED_PROXIES: '127.0.0.1' });
      try {
        const forwarded = { authorization: `Bearer ${proxied.adminToken}`, 'x-forwarded-for': REMOTE };
        for (const target of ['http://x/admin/users', 'http://127.0.0.1/%61dmin/users', 'HTTPS://x:1/admin/users?y', 'http://x/api/v1/users/', '/%61dmin/users', '//admin/users', '/./admin/users', '/admin\\users']) {
          const res = await rawRequest(proxied.server.url, `GET ${target}`, forwarded);
          expect(res.status, `${target}: ${res.body}`).toBe(403);
          expect(JSON.parse(res.body)).toEqual(LOCALHOST_ONLY);
        }
        // The same socket without the forwarded address is local: the filter is not simply refusing everything.
        const local = await rawRequest(proxied.server.url, 'GET http://x/%61dmin/users', { authorization: `Bearer ${proxied.adminToken}` });
        expect(local.status).toBe(200);
      } finally {
        await proxied.server.close();
      }
    });
  });

  describe.skipIf(backend === 'postgresql' && !hasPostgres)(`admin API disabled, however the path is spelt (${backend})`, () => {
    let server: TestServer;
    let api: ApiClient;
    let admin: string;

    beforeAll(async () => {
      ({ server, api, adminToken: admin } = await startAdminServer(backend, { AUTHLY_ADMIN_API_ENABLED: 'false' }));
    });
    afterAll(async () => server?.close());

    it.each(ADMIN_SPELLINGS)('answers %s with 503 ADMIN_API_DISABLED', async (url) => {
      const res = await api.call('GET', url, { token: admin });
      expect(res.status, res.body).toBe(503);
      expect(res.json).toEqual(DISABLED);
    });

    it('creates no client through POST /%61dmin/clients, nor through an absolute-form target', async () => {
      const before = await server.app.container.repositories.clients.counts();
      const body = { client_name: 'sneaky', client_type: 'public', redirect_uris: ['http://127.0.0.1:9/cb'] };
      const res = await api.call('POST', '/%61dmin/clients', { token: admin, body });
      expect(res.status).toBe(503);
      const raw = await rawRequest(server.url, 'POST http://x/admin/clients', { authorization: `Bearer ${admin}`, 'content-type': 'application/json', 'content-length': String(JSON.stringify(body).length) }, JSON.stringify(body));
      expect(raw.status).toBe(503);
      expect(await server.app.container.repositories.clients.counts()).toEqual(before);
    });

    it('answers the admin-only /api/v1/users routes with 503 too, and keeps /users/me', async () => {
      const res = await api.call('DELETE', `/api/v1/users/${server.user.id}`, { token: admin });
      expect(res.status).toBe(503);
      expect(res.json).toEqual(DISABLED);
      expect(await server.app.container.repositories.users.findById(server.user.id)).toBeDefined();
      expect((await api.call('GET', '/api/v1/users/me', { token: admin })).status).toBe(200);
    });
  });

  describe.skipIf(backend === 'postgresql' && !hasPostgres)(`admin power on /api/v1/users needs admin scopes (${backend})`, () => {
    let server: TestServer;
    let api: ApiClient;
    /** What an admin's login gave a third-party client: an `openid` token of an `is_admin` user. */
    let thirdParty: string;
    let readOnly: string;
    let victim: { id: string; username: string; password: string };

    beforeAll(async () => {
      ({ server, api } = await startAdminServer(backend));
      const client = (await server.addClient({ clientType: 'public', tokenEndpointAuthMethod: 'none', scope: 'openid profile' })).client;
      thirdParty = await adminLoginThroughClient(server, client.clientId);
      readOnly = await api.token('admin', ADMIN_PASSWORD, 'admin:users:read');
      victim = { id: server.user.id, username: server.user.username, password: server.password };
    });
    afterAll(async () => server?.close());

    const MISSING_READ = { detail: 'Missing required admin scope: admin:users:read' };
    const MISSING_WRITE = { detail: 'Missing required admin scope: admin:users:write' };

    it('refuses the listing and reads to a token without admin:users:read', async () => {
      for (const url of ['/api/v1/users/', `/api/v1/users/${victim.id}`]) {
        const res = await api.call('GET', url, { token: thirdParty });
        expect(res.status, url).toBe(403);
        expect(res.json).toEqual(MISSING_READ);
        expect(res.headers['www-authenticate']).toBe('Bearer');
      }
    });

    it('refuses to promote a user and set its password with an openid-only token', async () => {
      const res = await api.call('PUT', `/api/v1/users/${victim.id}`, { token: thirdParty, body: { is_admin: true, password: 'attacker-chosen-1' } });
      expect(res.status).toBe(403);
      expect(res.json).toEqual(MISSING_WRITE);
      expect((await server.app.container.repositories.users.findById(victim.id))?.isAdmin).toBe(false);
      expect((await api.login(victim.username, 'attacker-chosen-1')).status).toBe(400);
      expect((await api.login(victim.username, victim.password)).status).toBe(200);
    });

    it('refuses delete and verify without admin:users:write, even with admin:users:read', async () => {
      for (const token of [thirdParty, readOnly]) {
        const removed = await api.call('DELETE', `/api/v1/users/${victim.id}`, { token });
        expect(removed.status).toBe(403);
        expect(removed.json).toEqual(MISSING_WRITE);
        const verified = await api.call('PUT', `/api/v1/users/${victim.id}/verify`, { token });
        expect(verified.status).toBe(403);
        expect(verified.json).toEqual(MISSING_WRITE);
      }
      expect(await server.app.container.repositories.users.findById(victim.id)).toBeDefined();
    });

    it('serves reads with admin:users:read and writes with admin:users:write', async () => {
      const list = await api.call('GET', '/api/v1/users/', { token: readOnly });
      expect(list.status).toBe(200);
      const writer = await api.token('admin', ADMIN_PASSWORD, 'admin:users:write');
      const verified = await api.call('PUT', `/api/v1/users/${victim.id}/verify`, { token: writer });
      expect(verified.status).toBe(200);
      expect(verified.json).toMatchObject({ id: victim.id, is_verified: true });
    });

    it('still lets the third-party token read /users/me', async () => {
      const me = await api.call('GET', '/api/v1/users/me', { token: thirdParty });
      expect(me.status).toBe(200);
      expect(me.json.username).toBe('admin');
    });
  });
}

/** The admin signs in through a third-party client's login page (scope `openid`) and the client exchanges the code. */
async function adminLoginThroughClient(server: TestServer, clientId: string): Promise<string> {
  const { verifier, challenge } = pkcePair();
  const query = new URLSearchParams({ response_type: 'code', client_id: clientId, redirect_uri: server.redirectUri, scope: 'openid', state: 's', code_challenge: challenge, code_challenge_method: 'S256' });
  const page = await server.app.server.inject({ method: 'GET', url: `/api/v1/oauth/authorize?${query}` });
  expect(page.statusCode, page.body).toBe(200);
  const form = loginForm(page.body);
  const submit = await server.app.server.inject({
    method: 'POST',
    url: '/api/v1/oauth/authorize',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookiePairs(page.headers['set-cookie']) },
    payload: new URLSearchParams({ ...form, username: 'admin', password: ADMIN_PASSWORD, approved: 'true' }).toString(),
  });
  expect(submit.statusCode, submit.body).toBe(302);
  const code = new URL(String(submit.headers.location)).searchParams.get('code')!;
  const token = await server.app.server.inject({
    method: 'POST',
    url: '/api/v1/oauth/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: server.redirectUri, client_id: clientId, code_verifier: verifier }).toString(),
  });
  expect(token.statusCode, token.body).toBe(200);
  const body = token.json() as { access_token: string; scope: string };
  expect(body.scope.split(' ')).not.toContain('admin:users:write');
  return body.access_token;
}

/** The hidden fields of the login page. */
function loginForm(html: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const match of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) fields[match[1]!] = match[2]!.replace(/&amp;/g, '&');
  return fields;
}

/** `Set-Cookie` headers as the `Cookie` header a browser would send back. */
function cookiePairs(setCookie: string | string[] | undefined): string {
  return [setCookie ?? []].flat().map((cookie) => cookie.split(';')[0]).join('; ');
}

function setCookieNamed(res: ApiResponse | { headers: Record<string, unknown> }, name: string): string | undefined {
  return [(res.headers['set-cookie'] as string | string[] | undefined) ?? []].flat().find((cookie) => cookie.startsWith(`${name}=`));
}

describe('HTTPS behind a TLS-terminating proxy: Secure cookies, __Host- session cookie and HSTS', () => {
  let server: TestServer;
  let api: ApiClient;
  const PROXY = '10.1.2.3';
  const HTTPS = { 'x-forwarded-proto': 'https' };
  let authorizeUrl: string;

  beforeAll(async () => {
    ({ server, api } = await startAdminServer('sqlite', { AUTHLY_SERVER__TRUSTED_PROXIES: '10.0.0.0/8' }));
    const { challenge } = pkcePair();
    authorizeUrl = `/api/v1/oauth/authorize?${new URLSearchParams({ response_type: 'code', client_id: server.publicClient.clientId, redirect_uri: server.redirectUri, state: 's', code_challenge: challenge, code_challenge_method: 'S256' })}`;
  });
  afterAll(async () => server?.close());

  it('marks the CSRF cookie Secure and sends HSTS when a trusted proxy says https', async () => {
    const page = await api.call('GET', authorizeUrl, { remoteAddress: PROXY, headers: HTTPS });
    expect(page.status).toBe(200);
    expect(setCookieNamed(page, 'authly_csrf')).toMatch(/; Secure/);
    expect(page.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains; preload');
    expect(page.headers['content-security-policy']).toMatch(/; upgrade-insecure-requests$/);
  });

  it('believes no X-Forwarded-Proto from an untrusted peer', async () => {
    const page = await api.call('GET', authorizeUrl, { remoteAddress: REMOTE, headers: HTTPS });
    expect(page.status).toBe(200);
    expect(setCookieNamed(page, 'authly_csrf')).not.toMatch(/Secure/);
    expect(page.headers['strict-transport-security']).toBeUndefined();
    // Over plain HTTP the browser must post the login form where the page came from.
    expect(page.headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
    const discovery = await api.call('GET', '/.well-known/openid-configuration', { remoteAddress: REMOTE, headers: { ...HTTPS, host: 'localhost' } });
    expect(discovery.json.issuer).toBe('http://localhost');
  });

  it('derives an https issuer from the trusted proxy', async () => {
    const discovery = await api.call('GET', '/.well-known/openid-configuration', { remoteAddress: PROXY, headers: { ...HTTPS, host: 'localhost' } });
    expect(discovery.json.issuer).toBe('https://localhost');
    const port = await api.call('GET', '/.well-known/openid-configuration', { remoteAddress: PROXY, headers: { ...HTTPS, host: 'localhost:8443' } });
    expect(port.json.issuer).toBe('https://localhost:8443');
  });

  it('sets the session as __Host-authly_session (Secure, Path=/, no Domain) and reads only that name over https', async () => {
    const page = await api.call('GET', authorizeUrl, { remoteAddress: PROXY, headers: HTTPS });
    const login = await api.call('POST', '/api/v1/oauth/authorize', {
      remoteAddress: PROXY,
      headers: { ...HTTPS, 'content-type': 'application/x-www-form-urlencoded', cookie: cookiePairs(page.headers['set-cookie'] as string[]) },
      payload: new URLSearchParams({ ...loginForm(page.body), username: server.user.username, password: server.password, approved: 'true' }).toString(),
    });
    expect(login.status, login.body).toBe(302);
    const session = setCookieNamed(login, '__Host-authly_session');
    expect(session).toBeDefined();
    expect(session).toMatch(/; Secure/);
    expect(session).toMatch(/; Path=\//);
    expect(session).not.toMatch(/Domain=/i);
    expect(setCookieNamed(login, 'authly_session')).toBeUndefined();
    const value = session!.split(';')[0]!.split('=').slice(1).join('=');

    // prompt=consent: the consent just remembered would otherwise send the session straight through.
    const again = await api.call('GET', `${authorizeUrl}&prompt=consent`, { remoteAddress: PROXY, headers: { ...HTTPS, cookie: `__Host-authly_session=${value}` } });
    expect(again.body).toContain('id="signed-in-as"');
    // Over https a plain-named cookie (one an HTTP response or a sibling host could plant) is not a session.
    const planted = await api.call('GET', authorizeUrl, { remoteAddress: PROXY, headers: { ...HTTPS, cookie: `authly_session=${value}` } });
    expect(planted.status).toBe(200);
    expect(planted.body).not.toContain('id="signed-in-as"');
  });

  it('keeps authly_session without Secure over plain http', async () => {
    const page = await api.call('GET', authorizeUrl);
    const login = await api.call('POST', '/api/v1/oauth/authorize', {
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookiePairs(page.headers['set-cookie'] as string[]) },
      payload: new URLSearchParams({ ...loginForm(page.body), username: server.user.username, password: server.password, approved: 'true' }).toString(),
    });
    expect(login.status).toBe(302);
    const session = setCookieNamed(login, 'authly_session');
    expect(session).toBeDefined();
    expect(session).not.toMatch(/Secure/);
    expect(login.headers['strict-transport-security']).toBeUndefined();
  });
});

describe('an https issuer makes every response HTTPS-only', () => {
  it('sends HSTS and Secure cookies even when the proxy in front sends no header', async () => {
    const { server, api } = await startAdminServer('sqlite', { AUTHLY_SERVER__ISSUER: 'https://auth.example.com' });
    try {
      const { challenge } = pkcePair();
      const page = await api.call('GET', `/api/v1/oauth/authorize?${new URLSearchParams({ response_type: 'code', client_id: server.publicClient.clientId, redirect_uri: server.redirectUri, code_challenge: challenge, code_challenge_method: 'S256' })}`);
      expect(page.status).toBe(200);
      expect(setCookieNamed(page, 'authly_csrf')).toMatch(/; Secure/);
      expect(page.headers['strict-transport-security']).toBeDefined();
    } finally {
      await server.close();
    }
  });
});

const OAUTH_INVALID_HOST = { error: 'invalid_request', error_description: 'The Host header names a host this server does not serve' };
/** Malformed `Host` values (inject replaces an empty one, so the raw-socket test sends that). */
const MALFORMED_HOSTS = ['a b', '[', 'host:99999', 'evil.example:', 'user@evil.example', 'evil.example/path', '[::1', '[evil]', 'a..b', '-a.example', 'x'.repeat(300), 'évil.example', 'evil.example:0'];

describe('the issuer comes only from an allowed Host', () => {
  let server: TestServer;
  let api: ApiClient;

  beforeAll(async () => {
    ({ server, api } = await startAdminServer('sqlite', { AUTHLY_SERVER__ALLOWED_HOSTS: 'auth.dev.example:8000, other.example' }));
  });
  afterAll(async () => server?.close());

  it('refuses Host: evil.example on both discovery documents with the OAuth body', async () => {
    for (const url of ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server']) {
      const res = await api.call('GET', url, { headers: { host: 'evil.example' } });
      expect(res.status, url).toBe(400);
      expect(res.json).toEqual(OAUTH_INVALID_HOST);
    }
  });

  it('mints no token for an issuer named by the Host header', async () => {
    const res = await api.call('POST', '/api/v1/oauth/token', {
      headers: { host: 'evil.example', 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ grant_type: 'password', username: 'admin', password: ADMIN_PASSWORD }).toString(),
    });
    expect(res.status).toBe(400);
    expect(res.json).toEqual(OAUTH_INVALID_HOST);
  });

  it('refuses a foreign Host with the detail body outside OAuth', async () => {
    for (const url of ['/health', '/api/v1/users/me', '/no-such-path']) {
      const res = await api.call('GET', url, { headers: { host: 'evil.example' } });
      expect(res.status, url).toBe(400);
      expect(res.json).toEqual({ detail: 'The Host header names a host this server does not serve' });
    }
  });

  it.each(MALFORMED_HOSTS)('answers the malformed Host %j with 400 everywhere, never 500', async (host) => {
    for (const url of ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server', '/oidc/frontchannel/logout?iss=x', '/api/v1/oidc/frontchannel/logout?iss=x', '/health', '/admin/health', '/api/v1/users']) {
      const res = await api.call('GET', url, { headers: { host: host } });
      expect(res.status, `${url} with Host ${JSON.stringify(host)}: ${res.body}`).toBe(400);
    }
  });

  it('answers malformed Host headers sent over a raw socket with 400', async () => {
    for (const host of ['a b', '[', '', 'host:99999']) {
      const res = await rawRequest(server.url, 'GET /.well-known/openid-configuration', { host });
      expect(res.status, `Host ${JSON.stringify(host)}: ${res.body}`).toBe(400);
    }
  });

  it('derives no issuer for an HTTP/1.0 request without Host, and still serves what needs none', async () => {
    const discovery = await rawRequest(server.url, 'GET /.well-known/oauth-authorization-server', { host: null }, '', 'HTTP/1.0');
    expect(discovery.status).toBe(400);
    expect(JSON.parse(discovery.body)).toEqual({ error: 'invalid_request', error_description: 'The request names no host to derive the issuer from' });
    expect((await rawRequest(server.url, 'GET /health', { host: null }, '', 'HTTP/1.0')).status).toBe(200);
  });

  it('derives the issuer from loopback names and addresses', async () => {
    const cases: [string, string][] = [
      ['localhost:3000', 'http://localhost:3000'],
      ['LOCALHOST', 'http://localhost'],
      ['127.5.6.7:80', 'http://127.5.6.7'],
      ['[::1]:8000', 'http://[::1]:8000'],
    ];
    for (const [host, issuer] of cases) {
      const res = await api.call('GET', '/.well-known/oauth-authorization-server', { headers: { host } });
      expect(res.status, host).toBe(200);
      expect(res.json.issuer).toBe(issuer);
    }
  });

  it('derives the issuer from server.allowed_hosts, honouring a listed port', async () => {
    const ok = await api.call('GET', '/.well-known/openid-configuration', { headers: { host: 'auth.dev.example:8000' } });
    expect(ok.json.issuer).toBe('http://auth.dev.example:8000');
    expect(ok.json.token_endpoint).toBe('http://auth.dev.example:8000/api/v1/oauth/token');
    expect((await api.call('GET', '/.well-known/openid-configuration', { headers: { host: 'auth.dev.example:9000' } })).status).toBe(400);
    const anyPort = await api.call('GET', '/.well-known/openid-configuration', { headers: { host: 'other.example:1234' } });
    expect(anyPort.json.issuer).toBe('http://other.example:1234');
  });

  it('lets discovery documents be cached, and keeps the JWKS header', async () => {
    for (const url of ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server']) {
      expect((await api.call('GET', url)).headers['cache-control'], url).toBe('public, max-age=300');
    }
    expect((await api.call('GET', '/.well-known/jwks.json')).headers['cache-control']).toBe('public, max-age=3600');
  });
});

describe('server.allowed_hosts configuration', () => {
  it('takes a comma-separated list from the environment and refuses a malformed entry at start-up', () => {
    expect(loadConfig({ env: { AUTHLY_SERVER__ALLOWED_HOSTS: 'auth.example.com, 192.168.1.5:8000,[fd00::1]:443' } }).server.allowed_hosts).toEqual([
      'auth.example.com',
      '192.168.1.5:8000',
      '[fd00::1]:443',
    ]);
    expect(() => loadConfig({ env: { AUTHLY_SERVER__ALLOWED_HOSTS: 'good.example, bad host' } })).toThrow(/server\.allowed_hosts/);
    expect(() => loadConfig({ env: { AUTHLY_SERVER__ALLOWED_HOSTS: 'good.example:99999' } })).toThrow(/host or host:port/);
  });
});

describe('a configured issuer ignores the Host header', () => {
  it('announces and signs with the configured issuer whatever Host says', async () => {
    const { server, api } = await startAdminServer('sqlite', { AUTHLY_SERVER__ISSUER: 'https://auth.example.com' });
    try {
      const discovery = await api.call('GET', '/.well-known/openid-configuration', { headers: { host: 'evil.example' } });
      expect(discovery.status).toBe(200);
      expect(discovery.json.issuer).toBe('https://auth.example.com');
      const token = await api.call('POST', '/api/v1/oauth/token', {
        headers: { host: 'evil.example', 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ grant_type: 'password', username: 'admin', password: ADMIN_PASSWORD }).toString(),
      });
      expect(token.status).toBe(200);
      const claims = JSON.parse(Buffer.from(token.json.access_token.split('.')[1], 'base64url').toString()) as { iss: string };
      expect(claims.iss).toBe('https://auth.example.com');
      // A malformed Host is still a bad request.
      expect((await api.call('GET', '/health', { headers: { host: 'a b' } })).status).toBe(400);
    } finally {
      await server.close();
    }
  });
});

describe('body size, form parameters and JSON depth are bounded before parsing', () => {
  let server: TestServer;
  let api: ApiClient;
  let admin: string;
  const form = { 'content-type': 'application/x-www-form-urlencoded' };
  const json = { 'content-type': 'application/json' };
  const manyParameters = (n: number) => Array.from({ length: n }, (_, i) => `p${i}=1`).join('&');

  beforeAll(async () => {
    ({ server, api, adminToken: admin } = await startAdminServer('sqlite'));
  });
  afterAll(async () => server?.close());

  it('refuses a 100,000-parameter form on the token endpoint as too large (413, OAuth body)', async () => {
    const res = await api.call('POST', '/api/v1/oauth/token', { headers: form, payload: manyParameters(100_000) });
    expect(res.status).toBe(413);
    expect(res.json.error).toBe('invalid_request');
  });

  it('refuses a 40 KiB body on the OAuth endpoints, which accept 32 KiB', async () => {
    const res = await api.call('POST', '/api/v1/oauth/revoke', { headers: json, payload: JSON.stringify({ token: 'x'.repeat(40 * 1024) }) });
    expect(res.status).toBe(413);
    expect(res.json.error).toBe('invalid_request');
    const fits = await api.call('POST', '/api/v1/oauth/revoke', { headers: json, payload: JSON.stringify({ token: 'x'.repeat(16 * 1024) }) });
    expect(fits.status).toBeLessThan(413);
  });

  it('refuses a form of more than 100 parameters before decoding it (OAuth body on OAuth routes)', async () => {
    const res = await api.call('POST', '/api/v1/oauth/token', { headers: form, payload: `grant_type=password&${manyParameters(100)}` });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ error: 'invalid_request', error_description: 'The form has more than 100 parameters' });
    const hundred = await api.call('POST', '/api/v1/oauth/token', { headers: form, payload: `grant_type=password&${manyParameters(99)}` });
    expect(hundred.json.error_description).not.toBe('The form has more than 100 parameters');
  });

  it('refuses a 100,000-parameter form elsewhere with the detail body', async () => {
    const res = await api.call('POST', '/api/v1/users/', { headers: form, payload: manyParameters(100_000) });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ detail: 'The form has more than 100 parameters' });
  });

  it('refuses 500,000-deep JSON without parsing it, and never answers 5xx', async () => {
    const deep = '['.repeat(500_000) + ']'.repeat(500_000);
    const users = await api.call('POST', '/api/v1/users/', { headers: json, payload: deep });
    expect(users.status).toBe(400);
    expect(users.json).toEqual({ detail: 'The JSON body is nested deeper than 32 levels' });
    const oauth = await api.call('POST', '/api/v1/oauth/revoke', { headers: json, payload: deep });
    expect(oauth.status).toBe(413);
  });

  it('refuses JSON nested 33 deep and accepts 32, counting no bracket inside strings', async () => {
    const nest = (depth: number) => `{"token":"t","x":${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}}`;
    const tooDeep = await api.call('POST', '/api/v1/oauth/revoke', { headers: json, payload: nest(33) });
    expect(tooDeep.status).toBe(400);
    expect(tooDeep.json).toEqual({ error: 'invalid_request', error_description: 'The JSON body is nested deeper than 32 levels' });
    const admin33 = await api.call('POST', '/admin/clients', { token: admin, headers: json, payload: nest(33) });
    expect(admin33.status).toBe(400);
    expect(admin33.json).toEqual({ detail: 'The JSON body is nested deeper than 32 levels' });
    const deepest = { username: 'deep32', email: 'deep32@example.com', password: 'long-enough-1' };
    const accepted = await api.call('POST', '/api/v1/users/', { headers: json, payload: `${JSON.stringify(deepest).slice(0, -1)},"x":${'['.repeat(31)}${']'.repeat(31)}}` });
    expect(accepted.status, accepted.body).toBe(201);
    const brackets = await api.call('POST', '/api/v1/oauth/revoke', { headers: json, payload: JSON.stringify({ token: `${'['.repeat(1000)}\\"{{{` }) });
    expect(brackets.status).toBe(200);
  });

  it('keeps refusing prototype-poisoning JSON', async () => {
    const res = await api.call('POST', '/api/v1/users/', { headers: json, payload: '{"__proto__":{"is_admin":true},"username":"p","email":"p@example.com","password":"long-enough"}' });
    expect(res.status).toBe(400);
  });
});

describe('SQLite files are private to the server', () => {
  it('creates the folder 0700 and the database, -wal, -shm and master key 0600', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'authly-modes-'));
    const folder = path.join(root, 'new', 'data');
    const dbFile = path.join(folder, 'authly.db');
    const config = loadConfig({ env: { AUTHLY_DATABASE__SQLITE__PATH: dbFile, AUTHLY_LOGGING__LEVEL: 'silent' } });
    const app = await createApplication(config, { logger: pino({ level: 'silent' }), version: 'test' });
    try {
      const mode = (file: string) => fs.statSync(file).mode & 0o777;
      expect(mode(folder)).toBe(0o700);
      expect(mode(path.join(root, 'new'))).toBe(0o700);
      expect(mode(dbFile)).toBe(0o600);
      expect(mode(`${dbFile}-wal`)).toBe(0o600);
      expect(mode(`${dbFile}-shm`)).toBe(0o600);
      expect(mode(path.join(folder, 'authly.key'))).toBe(0o600);
    } finally {
      await app.close();
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('leaves the mode of a folder it did not create', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'authly-modes-'));
    fs.chmodSync(root, 0o750);
    const config = loadConfig({ env: { AUTHLY_DATABASE__SQLITE__PATH: path.join(root, 'authly.db'), AUTHLY_LOGGING__LEVEL: 'silent' } });
    const app = await createApplication(config, { logger: pino({ level: 'silent' }), version: 'test' });
    try {
      expect(fs.statSync(root).mode & 0o777).toBe(0o750);
      expect(fs.statSync(path.join(root, 'authly.db')).mode & 0o777).toBe(0o600);
    } finally {
      await app.close();
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('logs and redirects', () => {
  it('logs the refused admin request by path, never its query', async () => {
    const logged = await startLogged({});
    try {
      for (const url of ['/admin/users?access_token=SECRET-TOKEN&code=SECRET-CODE', '/%61dmin/nope?code=SECRET-CODE']) {
        const res = await logged.app.server.inject({ method: 'GET', url, remoteAddress: REMOTE });
        expect(res.statusCode).toBe(403);
      }
      const warnings = logged.lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((entry) => entry.msg === 'admin API: non-local request refused');
      expect(warnings.map((entry) => entry.path)).toEqual(['/admin/users', '/admin/nope']);
      expect(warnings.every((entry) => entry.clientAddress === REMOTE)).toBe(true);
      expect(logged.lines.join('\n')).not.toMatch(/SECRET-(TOKEN|CODE)/);
    } finally {
      await logged.close();
    }
  });

  it('redirects a slash variant with a relative Location that Host cannot steer', async () => {
    const logged = await startLogged({ AUTHLY_SERVER__ISSUER: 'https://auth.example.com' });
    try {
      for (const [url, location] of [
        ['/admin/clients/?include_inactive=true', '/admin/clients?include_inactive=true'],
        ['/api/v1/users', '/api/v1/users/'],
        ['/api/v1/users?next=//evil.example', '/api/v1/users/?next=//evil.example'],
      ] as const) {
        const res = await logged.app.server.inject({ method: 'GET', url, headers: { host: 'evil.example' } });
        expect(res.statusCode, url).toBe(307);
        expect(res.headers.location).toBe(location);
      }
    } finally {
      await logged.close();
    }
  });
});
