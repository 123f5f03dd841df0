import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../helpers/app.js';
import type { ApiClient } from '../protection/api-client.js';
import { startAdminServer } from '../protection/api-client.js';

const SCOPE_KEYS = ['created_at', 'description', 'id', 'is_active', 'is_default', 'scope_name', 'updated_at'];

describe('admin scopes', () => {
  let server: TestServer;
  let api: ApiClient;
  let token: string;

  beforeAll(async () => {
    ({ server, api, adminToken: token } = await startAdminServer());
  });
  afterAll(async () => server?.close());

  it('lists active scopes by name, including the bootstrap admin scopes', async () => {
    const res = await api.call('GET', '/admin/scopes', { token });
    expect(res.status).toBe(200);
    const names = res.json.map((s: { scope_name: string }) => s.scope_name);
    expect(names).toEqual([...names].sort());
    expect(names).toEqual(expect.arrayContaining(['admin:clients:read', 'admin:system:write', 'openid', 'profile']));
    expect(Object.keys(res.json[0]).sort()).toEqual(SCOPE_KEYS);
    const page = await api.call('GET', '/admin/scopes', { token, query: { limit: '2', offset: '1' } });
    expect(page.json.map((s: { scope_name: string }) => s.scope_name)).toEqual(names.slice(1, 3));
  });

  it('creates a scope (200) and refuses a duplicate with 400', async () => {
    const res = await api.call('POST', '/admin/scopes', { token, body: { scope_name: 'testscope:AbC123', description: 'A test', is_default: false } });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ scope_name: 'testscope:AbC123', description: 'A test', is_default: false, is_active: true });
    const dup = await api.call('POST', '/admin/scopes', { token, body: { scope_name: 'testscope:AbC123' } });
    expect(dup.status).toBe(400);
    expect(dup.json).toEqual({ detail: "Scope 'testscope:AbC123' already exists" });
  });

  it.each([
    ['', 'Scope name must be a non-empty string'],
    [42, 'Scope name must be a non-empty string'],
    ['x'.repeat(256), 'Scope name too long (max 255 characters)'],
    ['has space', 'Scope name cannot contain spaces'],
    ['naïve', 'Scope name must be ASCII characters only'],
  ])('refuses the name %j with 400 %s', async (scope_name, detail) => {
    const res = await api.call('POST', '/admin/scopes', { token, body: { scope_name } });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ detail });
  });

  it('answers 422 (not 500) when scope_name is missing', async () => {
    const res = await api.call('POST', '/admin/scopes', { token, body: { description: 'x' } });
    expect(res.status).toBe(422);
    expect(res.json.detail[0]).toMatchObject({ type: 'missing', loc: ['body', 'scope_name'] });
  });

  it('lists the default scopes (seed: profile) through /defaults and default_only', async () => {
    const defaults = await api.call('GET', '/admin/scopes/defaults', { token });
    expect(defaults.status).toBe(200);
    expect(defaults.json.map((s: { scope_name: string }) => s.scope_name)).toEqual(['profile']);
    const only = await api.call('GET', '/admin/scopes', { token, query: { default_only: 'true', limit: '1', offset: '5' } });
    expect(only.json.map((s: { scope_name: string }) => s.scope_name)).toEqual(['profile']);
  });

  it('gets a scope, even inactive; 404 with the name when unknown', async () => {
    const res = await api.call('GET', '/admin/scopes/openid', { token });
    expect(res.status).toBe(200);
    expect(res.json.description).toBe('OpenID Connect authentication scope (required for OIDC flows)');
    const missing = await api.call('GET', '/admin/scopes/nope', { token });
    expect(missing.status).toBe(404);
    expect(missing.json).toEqual({ detail: 'Scope not found: nope' });
  });

  it('updates description/is_default/is_active in Authly order of checks', async () => {
    await api.call('POST', '/admin/scopes', { token, body: { scope_name: 'to_update' } });
    const res = await api.call('PUT', '/admin/scopes/to_update', { token, body: { description: 'Changed', is_default: true } });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ scope_name: 'to_update', description: 'Changed', is_default: true });
    expect((await api.call('PUT', '/admin/scopes/nope', { token, body: { description: 'x' } })).json).toEqual({ detail: 'Scope not found' });
    expect((await api.call('PUT', '/admin/scopes/to_update', { token, body: { scope_name: 'renamed' } })).json).toEqual({ detail: 'No valid fields to update' });
    const rename = await api.call('PUT', '/admin/scopes/to_update', { token, body: { scope_name: 'renamed', description: 'x' } });
    expect(rename.status).toBe(400);
    expect(rename.json).toEqual({ detail: 'Scope name cannot be changed' });
    expect((await api.call('PUT', '/admin/scopes/to_update', { token, body: { is_default: 'yes please' } })).status).toBe(422);
  });

  it('deactivates a scope, repeatably; inactive scopes leave the listing unless include_inactive', async () => {
    await api.call('POST', '/admin/scopes', { token, body: { scope_name: 'to_remove' } });
    for (let i = 0; i < 2; i++) {
      const res = await api.call('DELETE', '/admin/scopes/to_remove', { token });
      expect(res.status).toBe(200);
      expect(res.json).toEqual({ scope_name: 'to_remove', message: 'Scope deactivated successfully' });
    }
    const names = (r: { json: { scope_name: string }[] }) => r.json.map((s) => s.scope_name);
    expect(names(await api.call('GET', '/admin/scopes', { token }))).not.toContain('to_remove');
    expect(names(await api.call('GET', '/admin/scopes', { token, query: { include_inactive: 'true' } }))).toContain('to_remove');
    expect((await api.call('GET', '/admin/scopes/to_remove', { token })).json.is_active).toBe(false);
    const missing = await api.call('DELETE', '/admin/scopes/nope', { token });
    expect(missing.status).toBe(404);
    expect(missing.json).toEqual({ detail: 'Scope not found or cannot be deactivated' });
  });
});

describe('admin system', () => {
  let server: TestServer;
  let api: ApiClient;
  let token: string;

  beforeAll(async () => {
    ({ server, api, adminToken: token } = await startAdminServer());
  });
  afterAll(async () => server?.close());

  it('GET /admin/status reports the database, configuration, statistics and a real timestamp', async () => {
    const before = Date.now();
    const res = await api.call('GET', '/admin/status', { token });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      status: 'operational',
      database: { connected: true, version: 'sqlite' },
      configuration: { valid: true, api_prefix: '/api/v1', jwt_algorithm: 'ES256', access_token_expiry_minutes: 60, refresh_token_expiry_days: 7 },
    });
    expect(res.json.statistics).toMatchObject({ oauth_clients: 2, active_clients: 2 });
    expect(res.json.statistics.oauth_scopes).toBeGreaterThanOrEqual(16);
    expect(Date.parse(res.json.timestamp)).toBeGreaterThanOrEqual(before - 1000);
  });

  it('GET /admin/dashboard/stats counts users', async () => {
    const res = await api.call('GET', '/admin/dashboard/stats', { token });
    expect(res.status).toBe(200);
    // The bootstrap admin (must change password) and the seeded, verified test user.
    expect(res.json.users).toEqual({ total: 2, active: 2, inactive: 0, admins: 1, unverified: 0, requires_password_change: 1 });
    expect(res.json.activity).toEqual({ new_users_24h: 2, new_users_7d: 2 });
    expect(res.json.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  });
});
