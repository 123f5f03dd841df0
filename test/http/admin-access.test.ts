import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../helpers/app.js';
import type { ApiClient } from '../protection/api-client.js';
import { ALL_ADMIN_SCOPES, startAdminServer } from '../protection/api-client.js';

const UUID = '00000000-0000-4000-8000-000000000000';

/** Every authenticated admin route and the scope it needs. */
const ROUTES: [string, string, string][] = [
  ['GET', '/admin/status', 'admin:system:read'],
  ['GET', '/admin/dashboard/stats', 'admin:system:read'],
  ['GET', '/admin/clients', 'admin:clients:read'],
  ['POST', '/admin/clients', 'admin:clients:write'],
  ['GET', '/admin/clients/client_x', 'admin:clients:read'],
  ['PUT', '/admin/clients/client_x', 'admin:clients:write'],
  ['POST', '/admin/clients/client_x/regenerate-secret', 'admin:clients:write'],
  ['DELETE', '/admin/clients/client_x', 'admin:clients:write'],
  ['GET', '/admin/clients/client_x/oidc', 'admin:clients:read'],
  ['PUT', '/admin/clients/client_x/oidc', 'admin:clients:write'],
  ['GET', '/admin/clients/oidc/algorithms', 'admin:clients:read'],
  ['GET', '/admin/scopes', 'admin:scopes:read'],
  ['POST', '/admin/scopes', 'admin:scopes:write'],
  ['GET', '/admin/scopes/defaults', 'admin:scopes:read'],
  ['GET', '/admin/scopes/read', 'admin:scopes:read'],
  ['PUT', '/admin/scopes/read', 'admin:scopes:write'],
  ['DELETE', '/admin/scopes/read', 'admin:scopes:write'],
  ['GET', '/admin/users', 'admin:users:read'],
  ['GET', `/admin/users/${UUID}`, 'admin:users:read'],
  ['POST', '/admin/users', 'admin:users:write'],
  ['PUT', `/admin/users/${UUID}`, 'admin:users:write'],
  ['DELETE', `/admin/users/${UUID}`, 'admin:users:write'],
  ['POST', `/admin/users/${UUID}/reset-password`, 'admin:users:write'],
  ['GET', `/admin/users/${UUID}/sessions`, 'admin:users:read'],
  ['DELETE', `/admin/users/${UUID}/sessions`, 'admin:users:write'],
  ['DELETE', `/admin/users/${UUID}/sessions/${UUID}`, 'admin:users:write'],
];

const LOCALHOST_ONLY = { detail: 'Admin API access restricted to localhost only', error_code: 'ADMIN_API_LOCALHOST_ONLY' };

describe('admin API authority and network filter', () => {
  let server: TestServer;
  let api: ApiClient;
  let admin: string;
  let nonAdmin: string;
  /** One token per scope set, so the suite stays far below the login rate limits. */
  const withoutScope = new Map<string, string>();

  beforeAll(async () => {
    ({ server, api, adminToken: admin } = await startAdminServer());
    nonAdmin = await api.token(server.user.username, server.password, ALL_ADMIN_SCOPES);
    for (const scope of ALL_ADMIN_SCOPES.split(' ')) {
      const others = ALL_ADMIN_SCOPES.split(' ').filter((s) => s !== scope).join(' ');
      withoutScope.set(scope, await api.token('admin', 'Admin-Passw0rd!', others));
    }
  });
  afterAll(async () => server?.close());

  it('GET /admin/health needs no token', async () => {
    const res = await api.call('GET', '/admin/health');
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ status: 'healthy', service: 'authly-admin-api' });
  });

  it.each(ROUTES)('%s %s without a token is 401 Not authenticated', async (method, url) => {
    const res = await api.call(method, url, { body: {} });
    expect(res.status).toBe(401);
    expect(res.json).toEqual({ detail: 'Not authenticated' });
  });

  it.each(ROUTES)('%s %s with a non-admin token is 403 (layer 1)', async (method, url) => {
    const res = await api.call(method, url, { token: nonAdmin, body: {} });
    expect(res.status).toBe(403);
    expect(res.json).toEqual({ detail: 'Administrative privileges required. User must have admin authority.' });
    expect(res.headers['www-authenticate']).toBe('Bearer');
  });

  it.each(ROUTES)('%s %s without its scope %s is 403 Missing required admin scope (layer 2)', async (method, url, scope) => {
    const res = await api.call(method, url, { token: withoutScope.get(scope), body: {} });
    expect(res.status).toBe(403);
    expect(res.json).toEqual({ detail: `Missing required admin scope: ${scope}` });
    expect(res.headers['www-authenticate']).toBe('Bearer');
  });

  it('refuses a non-loopback client with 403 ADMIN_API_LOCALHOST_ONLY, on every /admin path', async () => {
    for (const url of ['/admin/health', '/admin/clients', '/admin/no-such-path']) {
      const res = await api.call('GET', url, { token: admin, remoteAddress: '203.0.113.9' });
      expect(res.status, url).toBe(403);
      expect(res.json).toEqual(LOCALHOST_ONLY);
    }
  });

  it('ignores X-Forwarded-For and X-Real-IP from an untrusted peer', async () => {
    for (const headers of [{ 'x-forwarded-for': '127.0.0.1' }, { 'x-real-ip': '127.0.0.1' }] as Record<string, string>[]) {
      const res = await api.call('GET', '/admin/health', { headers, remoteAddress: '203.0.113.9' });
      expect(res.status).toBe(403);
      expect(res.json).toEqual(LOCALHOST_ONLY);
    }
  });

  it('counts IPv4 loopback, IPv4-mapped IPv6 loopback and ::1 as loopback', async () => {
    for (const remoteAddress of ['127.0.0.1', '127.8.9.10', '::ffff:127.0.0.1', '::1']) {
      const res = await api.call('GET', '/admin/clients', { token: admin, remoteAddress });
      expect(res.status, remoteAddress).toBe(200);
    }
  });

  it('does not filter other paths', async () => {
    const res = await api.call('GET', '/health', { remoteAddress: '203.0.113.9' });
    expect(res.status).toBe(200);
  });
});

describe('admin API behind a trusted proxy', () => {
  let server: TestServer;
  let api: ApiClient;

  beforeAll(async () => {
    ({ server, api } = await startAdminServer('sqlite', { AUTHLY_SERVER__TRUSTED_PROXIES: '10.0.0.0/8, 192.0.2.1', AUTHLY_ADMIN_API__ALLOWED_NETWORKS: '198.51.100.0/24' }));
  });
  afterAll(async () => server?.close());

  it('believes the forwarded client address from a trusted proxy', async () => {
    const local = await api.call('GET', '/admin/health', { remoteAddress: '10.1.2.3', headers: { 'x-forwarded-for': '127.0.0.1' } });
    expect(local.status).toBe(200);
    const remote = await api.call('GET', '/admin/health', { remoteAddress: '10.1.2.3', headers: { 'x-forwarded-for': '203.0.113.9' } });
    expect(remote.status).toBe(403);
    const realIp = await api.call('GET', '/admin/health', { remoteAddress: '192.0.2.1', headers: { 'x-real-ip': '127.0.0.1' } });
    expect(realIp.status).toBe(200);
  });

  it('takes the right-most untrusted hop, so a client cannot prepend 127.0.0.1', async () => {
    const res = await api.call('GET', '/admin/health', { remoteAddress: '10.1.2.3', headers: { 'x-forwarded-for': '127.0.0.1, 203.0.113.9, 10.9.9.9' } });
    expect(res.status).toBe(403);
  });

  it('lets the trusted proxy itself through only if it is loopback or allowed, and allows allowed_networks', async () => {
    expect((await api.call('GET', '/admin/health', { remoteAddress: '10.1.2.3' })).status).toBe(403);
    expect((await api.call('GET', '/admin/health', { remoteAddress: '198.51.100.7' })).status).toBe(200);
  });
});

describe('admin API switches (AUTHLY_ADMIN_API_ENABLED, AUTHLY_ADMIN_API_LOCALHOST_ONLY)', () => {
  it('answers 503 ADMIN_API_DISABLED on every /admin path when disabled', async () => {
    const { server, api, adminToken } = await startAdminServer('sqlite', { AUTHLY_ADMIN_API_ENABLED: 'false' });
    try {
      for (const url of ['/admin/health', '/admin/clients']) {
        const res = await api.call('GET', url, { token: adminToken });
        expect(res.status).toBe(503);
        expect(res.json).toEqual({ detail: 'Admin API is currently disabled', error_code: 'ADMIN_API_DISABLED' });
      }
      // The rest of the server is unaffected.
      expect((await api.call('GET', '/api/v1/users/me', { token: adminToken })).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('serves remote clients when localhost_only is off', async () => {
    const { server, api, adminToken } = await startAdminServer('sqlite', { AUTHLY_ADMIN_API_LOCALHOST_ONLY: 'false' });
    try {
      const res = await api.call('GET', '/admin/clients', { token: adminToken, remoteAddress: '203.0.113.9' });
      expect(res.status).toBe(200);
    } finally {
      await server.close();
    }
  });
});
