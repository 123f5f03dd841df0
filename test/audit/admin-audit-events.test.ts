import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestBackend, TestServer } from '../helpers/app.js';
import { hasPostgres } from '../helpers/services.js';
import { ADMIN_PASSWORD, startAdminServer, type ApiClient } from '../protection/api-client.js';
import { captureLog, type CapturedLog } from './capture-log.js';

const STRONG = 'Str0ng-Passw0rd!';

for (const backend of ['sqlite', 'postgresql'] as TestBackend[]) {
  describe.skipIf(backend === 'postgresql' && !hasPostgres)(`admin changes, lockout and GET /admin/audit-events (${backend})`, () => {
    let server: TestServer;
    let api: ApiClient;
    let token: string;
    let log: CapturedLog;
    let adminId: string;
    let createdId: string;
    let clientSecret: string;
    let clientId: string;
    let started: string;

    beforeAll(async () => {
      log = captureLog();
      started = new Date(Date.now() - 1000).toISOString();
      ({ server, api, adminToken: token } = await startAdminServer(backend, { AUTHLY_AUDIT__SINK: 'database', AUTHLY_LOCKOUT__MAX_ATTEMPTS: '2' }, { logger: log.logger }));
      adminId = (await api.call('GET', '/api/v1/users/me', { token })).json.id;

      const created = await api.call('POST', '/admin/users', { token, body: { username: 'mallory', email: 'mallory@example.com', password: STRONG, is_verified: true } });
      expect(created.status, created.body).toBe(201);
      createdId = created.json.id;
      const updated = await api.call('PUT', `/admin/users/${createdId}`, { token, body: { given_name: 'Mal', password: `${STRONG}x` } });
      expect(updated.status, updated.body).toBe(200);
      const client = await api.call('POST', '/admin/clients', { token, body: { client_name: 'Audited', redirect_uris: ['https://app.example.com/cb'], client_type: 'confidential' } });
      expect(client.status, client.body).toBe(200);
      ({ client_id: clientId, client_secret: clientSecret } = client.json);
      // Two wrong passwords lock the account (lockout.max_attempts 2).
      for (let i = 0; i < 2; i += 1) expect((await api.login('mallory', `wrong-${i}`)).status).toBe(400);
      expect((await api.login('mallory', `${STRONG}x`)).status).toBe(429);
      await server.app.audit.flush();
    });
    afterAll(async () => server?.close());

    const list = (query: Record<string, string>, options: { token?: string; remoteAddress?: string } = { token }) =>
      api.call('GET', '/admin/audit-events', { ...options, query });

    it('records who changed what, before and after, without passwords or secrets', () => {
      const events = log.audit();
      const userCreated = events.find((e) => e.event === 'admin.user.created')!;
      expect(userCreated).toMatchObject({ actor_id: adminId, user_id: createdId, details: { actor_username: 'admin', after: { username: 'mallory' } } });
      const userUpdated = events.find((e) => e.event === 'admin.user.updated')!;
      expect(userUpdated).toMatchObject({ details: { before: { given_name: null }, after: { given_name: 'Mal' }, password_changed: true } });
      const clientCreated = events.find((e) => e.event === 'admin.client.created')!;
      expect(clientCreated).toMatchObject({ client_id: clientId, details: { after: { client_secret: '[Redacted]', client_name: 'Audited' } } });
      expect(events.find((e) => e.event === 'account.locked')).toMatchObject({ level: 40, details: { username: 'mallory', duration_seconds: 300 } });
      expect(events.filter((e) => e.event === 'login.failed')).toHaveLength(2);
      for (const line of log.lines) {
        for (const secret of [STRONG, `${STRONG}x`, clientSecret, ADMIN_PASSWORD, token]) expect(line.includes(secret), line).toBe(false);
        expect(line).not.toMatch(/\$argon2|hmac-sha256\$/);
      }
    });

    it('lists stored events newest first, filtered by event, user, client and time, paged', async () => {
      const all = await list({});
      expect(all.status, all.body).toBe(200);
      expect(all.json).toMatchObject({ sink: 'database', limit: 100, offset: 0 });
      expect(all.json.total).toBe(all.json.events.length);
      const times = all.json.events.map((e: { occurred_at: string }) => e.occurred_at);
      expect([...times].sort().reverse()).toEqual(times);

      const created = await list({ event: 'admin.user.created' });
      expect(created.json.events).toHaveLength(1);
      expect(created.json.events[0]).toMatchObject({ user_id: createdId, actor_id: adminId, request_id: expect.any(String) });

      const byUser = await list({ user_id: createdId });
      expect(new Set(byUser.json.events.map((e: { event: string }) => e.event))).toEqual(new Set(['admin.user.created', 'admin.user.updated', 'login.failed']));
      const byClient = await list({ client_id: clientId });
      expect(byClient.json.events.map((e: { event: string }) => e.event)).toEqual(['admin.client.created']);

      expect((await list({ from: started, to: new Date(Date.now() + 60_000).toISOString() })).json.total).toBe(all.json.total);
      expect((await list({ to: started })).json.total).toBe(0);
      expect((await list({ from: new Date(Date.now() + 60_000).toISOString() })).json.total).toBe(0);

      const first = await list({ limit: '2', offset: '0' });
      const second = await list({ limit: '2', offset: '2' });
      expect(first.json.events).toHaveLength(2);
      expect(second.json.events[0].id).toBe(all.json.events[2].id);
    });

    it.each([
      [{ event: 'no.such.event' }],
      [{ from: 'yesterday' }],
      [{ to: '2025-13-01T00:00:00Z' }],
      [{ from: '2025-01-02T00:00:00Z', to: '2025-01-01T00:00:00Z' }],
      [{ limit: '0' }],
      [{ limit: '1001' }],
      [{ offset: '-1' }],
      [{ user_id: 'x'.repeat(300) }],
      [{ client_id: 'a\u0000b' }],
    ])('refuses malformed filters %j with a validation error, never a 500', async (query) => {
      const res = await list(query);
      expect(res.status, res.body).toBe(422);
      expect(res.json.detail[0].loc[0]).toBe('query');
    });

    it('refuses callers without admin authority', async () => {
      expect((await list({}, {})).status).toBe(401);
      const user = await api.token(server.user.username, server.password, '');
      expect((await list({}, { token: user })).status).toBe(403);
      // An admin token without admin:system:read.
      const narrow = await api.token('admin', ADMIN_PASSWORD, 'admin:users:read');
      expect((await list({}, { token: narrow })).status).toBe(403);
      // The admin network filter applies (admin_api.localhost_only).
      const remote = await list({}, { token, remoteAddress: '203.0.113.7' });
      expect(remote.status).toBe(403);
      expect(remote.json.error_code).toBe('ADMIN_API_LOCALHOST_ONLY');
    });
  });
}
