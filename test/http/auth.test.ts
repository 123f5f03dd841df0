import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../helpers/app.js';
import type { ApiClient } from '../protection/api-client.js';
import { ADMIN_PASSWORD, startAdminServer } from '../protection/api-client.js';

describe('auth router', () => {
  let server: TestServer;
  let api: ApiClient;

  beforeAll(async () => {
    ({ server, api } = await startAdminServer());
  });
  afterAll(async () => server?.close());

  async function userToken(): Promise<string> {
    return api.token(server.user.username, server.password, 'read');
  }

  describe('bearer authentication', () => {
    it('answers 401 Not authenticated with a Bearer challenge when the header is missing or not Bearer', async () => {
      for (const headers of [{}, { authorization: 'Basic abc' }] as Record<string, string>[]) {
        const res = await api.call('GET', '/api/v1/auth/password-status', { headers });
        expect(res.status).toBe(401);
        expect(res.json).toEqual({ detail: 'Not authenticated' });
        expect(res.headers['www-authenticate']).toBe('Bearer');
      }
    });

    it('answers 401 Could not validate credentials for a bad, revoked or client-only token', async () => {
      const bad = await api.call('POST', '/api/v1/auth/logout', { token: 'not.a.jwt' });
      expect(bad.status).toBe(401);
      expect(bad.json).toEqual({ detail: 'Could not validate credentials' });
      expect(bad.headers['www-authenticate']).toBe('Bearer');

      const basic = Buffer.from(`${server.confidential.client.clientId}:${server.confidential.secret}`).toString('base64');
      const cc = await api.call('POST', '/api/v1/oauth/token', {
        payload: 'grant_type=client_credentials&scope=read',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${basic}` },
      });
      expect(cc.status).toBe(200);
      const clientOnly = await api.call('GET', '/api/v1/auth/password-status', { token: cc.json.access_token });
      expect(clientOnly.status).toBe(401);
      expect(clientOnly.json).toEqual({ detail: 'Could not validate credentials' });
    });
  });

  describe('POST /api/v1/auth/logout', () => {
    it("invalidates the presented token and every other token of the user", async () => {
      const first = await userToken();
      const second = await userToken();
      const res = await api.call('POST', '/api/v1/auth/logout', { token: first });
      expect(res.status).toBe(200);
      expect(res.json.message).toBe('Successfully logged out');
      // Two logins: two access and two refresh tokens, all live until now.
      expect(res.json.invalidated_tokens).toBeGreaterThanOrEqual(4);
      for (const token of [first, second]) {
        const after = await api.call('GET', '/api/v1/users/me', { token });
        expect(after.status).toBe(401);
        expect(after.json).toEqual({ detail: 'Could not validate credentials' });
      }
    });
  });

  describe('GET /api/v1/auth/password-status', () => {
    it('reports the flag and the username', async () => {
      const res = await api.call('GET', '/api/v1/auth/password-status', { token: await userToken() });
      expect(res.status).toBe(200);
      expect(res.json).toEqual({ requires_password_change: false, username: server.user.username });
    });

    it('reports that the bootstrap admin must change a configured password', async () => {
      const token = await api.token('admin', ADMIN_PASSWORD);
      const res = await api.call('GET', '/api/v1/auth/password-status', { token });
      expect(res.json).toEqual({ requires_password_change: true, username: 'admin' });
    });
  });

  describe('POST /api/v1/auth/change-password', () => {
    it('refuses a short new password with the 422 validation body', async () => {
      const res = await api.call('POST', '/api/v1/auth/change-password', {
        token: await userToken(),
        body: { current_password: server.password, new_password: 'short' },
      });
      expect(res.status).toBe(422);
      expect(res.json.detail[0]).toMatchObject({ loc: ['body', 'new_password'], type: 'string_too_short' });
      expect(res.json.detail[0].input).toBeNull(); // passwords are never echoed
    });

    it('refuses a wrong current password with 401', async () => {
      const res = await api.call('POST', '/api/v1/auth/change-password', {
        token: await userToken(),
        body: { current_password: 'wrong-password', new_password: 'Another-Passw0rd' },
      });
      expect(res.status).toBe(401);
      expect(res.json).toEqual({ detail: 'Current password is incorrect' });
    });

    it('refuses the same password with 400', async () => {
      const res = await api.call('POST', '/api/v1/auth/change-password', {
        token: await userToken(),
        body: { current_password: server.password, new_password: server.password },
      });
      expect(res.status).toBe(400);
      expect(res.json).toEqual({ detail: 'New password must be different from current password' });
    });

    it('changes the password and clears requires_password_change', async () => {
      const token = await api.token('admin', ADMIN_PASSWORD);
      const res = await api.call('POST', '/api/v1/auth/change-password', {
        token,
        body: { current_password: ADMIN_PASSWORD, new_password: 'Changed-Passw0rd!' },
      });
      expect(res.status).toBe(200);
      expect(res.json).toEqual({ message: 'Password successfully changed', requires_password_change: false });
      expect((await api.login('admin', ADMIN_PASSWORD)).status).toBe(400);
      const fresh = await api.token('admin', 'Changed-Passw0rd!');
      const status = await api.call('GET', '/api/v1/auth/password-status', { token: fresh });
      expect(status.json.requires_password_change).toBe(false);
      // Unlike Authly, a new password ends every earlier token, the caller's included.
      expect((await api.call('GET', '/api/v1/users/me', { token })).status).toBe(401);
      expect((await api.call('GET', '/api/v1/users/me', { token: fresh })).status).toBe(200);
    });
  });
});
