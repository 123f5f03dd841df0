import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../helpers/app.js';
import type { ApiClient } from '../protection/api-client.js';
import { startAdminServer } from '../protection/api-client.js';

const USER_KEYS = ['created_at', 'email', 'id', 'is_active', 'is_admin', 'is_verified', 'last_login', 'updated_at', 'username'];

describe('users router', () => {
  let server: TestServer;
  let api: ApiClient;
  let admin: string;
  let user: string;

  beforeAll(async () => {
    ({ server, api, adminToken: admin } = await startAdminServer());
    user = await api.token(server.user.username, server.password, 'read');
  });
  afterAll(async () => server?.close());

  async function register(username: string, extra: Record<string, unknown> = {}) {
    return api.call('POST', '/api/v1/users/', { body: { username, email: `${username}@example.com`, password: 'long-enough', ...extra } });
  }

  describe('POST /api/v1/users/ (registration)', () => {
    it('creates an active, unverified, non-admin user (is_admin is ignored) who cannot log in yet', async () => {
      const res = await register('newcomer', { is_admin: true });
      expect(res.status).toBe(201);
      expect(Object.keys(res.json).sort()).toEqual(USER_KEYS);
      expect(res.json).toMatchObject({ username: 'newcomer', email: 'newcomer@example.com', is_active: true, is_verified: false, is_admin: false, last_login: null });
      const login = await api.login('newcomer', 'long-enough', '');
      expect(login.status).toBe(400);
      expect(login.json).toEqual({ error: 'invalid_grant', error_description: 'Account not verified' });
    });

    it('refuses a taken username or e-mail with 400', async () => {
      await register('taken_name');
      const name = await api.call('POST', '/api/v1/users/', { body: { username: 'TAKEN_NAME', email: 'other@example.com', password: 'long-enough' } });
      expect(name.status).toBe(400);
      expect(name.json).toEqual({ detail: 'Username already registered' });
      const email = await api.call('POST', '/api/v1/users/', { body: { username: 'other_name', email: 'taken_name@example.com', password: 'long-enough' } });
      expect(email.status).toBe(400);
      expect(email.json).toEqual({ detail: 'Email already registered' });
    });

    it('answers 422 with the FastAPI body for missing or invalid fields', async () => {
      const missing = await api.call('POST', '/api/v1/users/', { body: { email: 'x@example.com', password: 'long-enough' } });
      expect(missing.status).toBe(422);
      expect(missing.json.detail).toEqual([{ type: 'missing', loc: ['body', 'username'], msg: 'Field required', input: null }]);
      const short = await register('shorty', { password: 'short' });
      expect(short.status).toBe(422);
      expect(short.json.detail[0].loc).toEqual(['body', 'password']);
      const long = await register('x'.repeat(51));
      expect(long.status).toBe(422);
      const notObject = await api.call('POST', '/api/v1/users/', { body: ['a'] });
      expect(notObject.status).toBe(422);
    });

    it('redirects the slash-less path with 307 to the slash form (a relative Location)', async () => {
      const res = await api.call('POST', '/api/v1/users', { body: {} });
      expect(res.status).toBe(307);
      expect(res.headers.location).toBe('/api/v1/users/');
    });
  });

  describe('GET /api/v1/users/me', () => {
    it('returns the caller', async () => {
      const res = await api.call('GET', '/api/v1/users/me', { token: user });
      expect(res.status).toBe(200);
      expect(res.json).toMatchObject({ id: server.user.id, username: server.user.username, is_verified: true });
    });

    it('needs a token', async () => {
      const res = await api.call('GET', '/api/v1/users/me');
      expect(res.status).toBe(401);
      expect(res.json).toEqual({ detail: 'Not authenticated' });
    });
  });

  describe('admin-only routes', () => {
    it('refuse a non-admin with 403 and a Bearer challenge', async () => {
      for (const [method, url] of [
        ['GET', '/api/v1/users/'],
        ['GET', `/api/v1/users/${server.user.id}`],
        ['PUT', `/api/v1/users/${server.user.id}`],
        ['DELETE', `/api/v1/users/${server.user.id}`],
        ['PUT', `/api/v1/users/${server.user.id}/verify`],
      ] as const) {
        const res = await api.call(method, url, { token: user, body: {} });
        expect(res.status, `${method} ${url}`).toBe(403);
        expect(res.json).toEqual({ detail: 'Administrative privileges required. User must have admin authority.' });
        expect(res.headers['www-authenticate']).toBe('Bearer');
      }
    });

    it('GET /users/{id}: the user, 404 when unknown, 422 for a non-UUID', async () => {
      const found = await api.call('GET', `/api/v1/users/${server.user.id}`, { token: admin });
      expect(found.status).toBe(200);
      expect(found.json.username).toBe(server.user.username);
      const unknown = await api.call('GET', '/api/v1/users/00000000-0000-4000-8000-000000000000', { token: admin });
      expect(unknown.status).toBe(404);
      expect(unknown.json).toEqual({ detail: 'User not found' });
      const bad = await api.call('GET', '/api/v1/users/not-a-uuid', { token: admin });
      expect(bad.status).toBe(422);
      expect(bad.json.detail[0].loc).toEqual(['path', 'user_id']);
    });

    it('GET /users/: newest first with skip and limit; limit out of range is 422', async () => {
      const all = await api.call('GET', '/api/v1/users/', { token: admin });
      expect(all.status).toBe(200);
      const created = all.json.map((u: { created_at: string }) => u.created_at);
      expect([...created].sort().reverse()).toEqual(created);
      const page = await api.call('GET', '/api/v1/users/', { token: admin, query: { skip: '1', limit: '1' } });
      expect(page.json).toHaveLength(1);
      expect(page.json[0].id).toBe(all.json[1].id);
      expect((await api.call('GET', '/api/v1/users/', { token: admin, query: { limit: '0' } })).status).toBe(422);
      expect((await api.call('GET', '/api/v1/users/', { token: admin, query: { limit: '101' } })).status).toBe(422);
      expect((await api.call('GET', '/api/v1/users', { token: admin })).status).toBe(307);
    });

    it('PUT /users/{id}: applies present keys, ignores nulls, refuses taken names and addresses', async () => {
      const target = (await register('to_update')).json;
      const ok = await api.call('PUT', `/api/v1/users/${target.id}`, { token: admin, body: { username: 'updated_name', email: null, is_admin: false } });
      expect(ok.status).toBe(200);
      expect(ok.json).toMatchObject({ username: 'updated_name', email: 'to_update@example.com', is_admin: false });
      const taken = await api.call('PUT', `/api/v1/users/${target.id}`, { token: admin, body: { username: server.user.username } });
      expect(taken.status).toBe(400);
      expect(taken.json).toEqual({ detail: 'Username already taken' });
      const email = await api.call('PUT', `/api/v1/users/${target.id}`, { token: admin, body: { email: server.user.email } });
      expect(email.status).toBe(400);
      expect(email.json).toEqual({ detail: 'Email already registered' });
      const missing = await api.call('PUT', '/api/v1/users/00000000-0000-4000-8000-000000000000', { token: admin, body: { username: 'nobody' } });
      expect(missing.status).toBe(404);
      expect(missing.json).toEqual({ detail: 'User not found' });
      const wrongType = await api.call('PUT', `/api/v1/users/${target.id}`, { token: admin, body: { is_admin: 'maybe' } });
      expect(wrongType.status).toBe(422);
    });

    it('PUT /users/{id}/verify lets a registered user log in; a password update takes effect', async () => {
      const target = (await register('to_verify')).json;
      const verified = await api.call('PUT', `/api/v1/users/${target.id}/verify`, { token: admin });
      expect(verified.status).toBe(200);
      expect(verified.json.is_verified).toBe(true);
      expect((await api.login('to_verify', 'long-enough', '')).status).toBe(200);
      await api.call('PUT', `/api/v1/users/${target.id}`, { token: admin, body: { password: 'a-new-password' } });
      expect((await api.login('to_verify', 'a-new-password', '')).status).toBe(200);
      const unknown = await api.call('PUT', '/api/v1/users/00000000-0000-4000-8000-000000000000/verify', { token: admin });
      expect(unknown.status).toBe(404);
    });

    it('DELETE /users/{id}: 204 with an empty body, then 404', async () => {
      const target = (await register('to_delete')).json;
      const res = await api.call('DELETE', `/api/v1/users/${target.id}`, { token: admin });
      expect(res.status).toBe(204);
      expect(res.body).toBe('');
      const again = await api.call('DELETE', `/api/v1/users/${target.id}`, { token: admin });
      expect(again.status).toBe(404);
      expect(again.json).toEqual({ detail: 'User not found' });
    });
  });
});
