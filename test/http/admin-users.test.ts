import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestBackend, TestServer } from '../helpers/app.js';
import { hasPostgres } from '../helpers/services.js';
import type { ApiClient } from '../protection/api-client.js';
import { ADMIN_PASSWORD, startAdminServer } from '../protection/api-client.js';

const STRONG = 'Str0ng-Passw0rd!';

function jtiOf(token: string): string {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).jti as string;
}

for (const backend of ['sqlite', 'postgresql'] as TestBackend[]) {
  describe.skipIf(backend === 'postgresql' && !hasPostgres)(`admin users and sessions (${backend})`, () => {
    let server: TestServer;
    let api: ApiClient;
    let token: string;
    let adminId: string;

    beforeAll(async () => {
      ({ server, api, adminToken: token } = await startAdminServer(backend));
      adminId = (await api.call('GET', '/api/v1/users/me', { token })).json.id;
    });
    afterAll(async () => server?.close());

    const create = (body: Record<string, unknown>) => api.call('POST', '/admin/users', { token, body: { email: `${String(body.username)}@example.com`, ...body } });
    async function createVerified(username: string) {
      const res = await create({ username, password: STRONG, is_verified: true });
      expect(res.status, res.body).toBe(201);
      return res.json as { id: string; username: string };
    }

    describe('POST /admin/users', () => {
      it('creates a user with a password: 201, profile fields, birthdate as YYYY-MM-DD, no temporary password', async () => {
        const res = await create({ username: 'carol', password: STRONG, is_verified: true, given_name: 'Carol', birthdate: '1990-05-17', address: { locality: 'Oslo' }, locale: 'nb', first_name: 'ignored' });
        expect(res.status).toBe(201);
        expect(res.json).toMatchObject({ username: 'carol', is_active: true, is_verified: true, is_admin: false, requires_password_change: false, given_name: 'Carol', birthdate: '1990-05-17', address: { locality: 'Oslo' }, active_sessions: 0, temporary_password: null });
        expect(res.json).not.toHaveProperty('password_hash');
      });

      it('generates a 12-character temporary password that must be changed', async () => {
        const res = await create({ username: 'dave', generate_temp_password: true, is_verified: true });
        expect(res.status).toBe(201);
        const temporary = res.json.temporary_password as string;
        expect(temporary).toHaveLength(12);
        expect(temporary).toMatch(/[A-Z]/);
        expect(temporary).toMatch(/[a-z]/);
        expect(temporary).toMatch(/\d/);
        expect(temporary).toMatch(/[!@#$%^&*]/);
        expect(res.json.requires_password_change).toBe(true);
        const login = await api.login('dave', temporary, '');
        expect(login.status).toBe(200);
        expect(login.json.requires_password_change).toBe(true);
      });

      it.each([
        [{ username: 'eve', password: STRONG, generate_temp_password: true }, 'Cannot specify both password and generate_temp_password'],
        [{ username: 'eve' }, 'Either password must be provided or generate_temp_password must be true'],
        [{ username: 'bad-name', password: STRONG }, 'Username can only contain letters, numbers, and underscores'],
        [{ username: 'eve', email: 'not-an-email', password: STRONG }, 'Invalid email format'],
        [{ username: 'admin', password: STRONG }, "Username 'admin' already exists"],
        [{ username: 'eve', email: 'admin@localhost.dev', password: 'alllowercase1!' }, 'Password must contain at least one uppercase letter'],
        [{ username: 'eve', password: 'NOLOWERCASE1!' }, 'Password must contain at least one lowercase letter'],
        [{ username: 'eve', password: 'NoDigits!!' }, 'Password must contain at least one number'],
        [{ username: 'eve', password: 'NoSpecial123' }, 'Password must contain at least one special character (one of !@#$%^&*(),.?":{}|<>)'],
      ])('refuses %j with 400 %s', async (body, detail) => {
        const res = await create(body);
        expect(res.status).toBe(400);
        expect(res.json).toEqual({ detail });
      });

      it('refuses a taken e-mail with 400', async () => {
        await createVerified('frank');
        const res = await create({ username: 'frank2', email: 'FRANK@example.com', password: STRONG });
        expect(res.json).toEqual({ detail: "Email 'FRANK@example.com' already exists" });
      });

      it('answers 422 for schema violations', async () => {
        for (const body of [{ username: 'ab', password: STRONG }, { username: 'x'.repeat(33), password: STRONG }, { username: 'okname', password: 'short' }, { username: 'okname', password: STRONG, birthdate: '2024-02-30' }, { username: 'okname', password: STRONG, is_admin: 'yes' }]) {
          const res = await create(body);
          expect(res.status, JSON.stringify(body)).toBe(422);
        }
      });
    });

    describe('GET /admin/users', () => {
      it('lists with page info, session counts and no filters by default', async () => {
        await api.token(server.user.username, server.password, '');
        const res = await api.call('GET', '/admin/users', { token });
        expect(res.status).toBe(200);
        expect(res.json.total_count).toBeGreaterThanOrEqual(2);
        expect(res.json.filters_applied).toBeNull();
        expect(res.json.page_info).toMatchObject({ skip: 0, limit: 25, has_previous: false, current_page: 1 });
        const seeded = res.json.users.find((u: { id: string }) => u.id === server.user.id);
        expect(seeded.active_sessions).toBeGreaterThanOrEqual(1);
        const created = res.json.users.map((u: { created_at: string }) => u.created_at);
        expect([...created].sort().reverse()).toEqual(created);
      });

      it('filters by substring, flags, exact locale and dates; sorts; paginates', async () => {
        await createVerified('Gina_Filter');
        const byName = await api.call('GET', '/admin/users', { token, query: { username: 'gina_fil' } });
        expect(byName.json.users.map((u: { username: string }) => u.username)).toEqual(['Gina_Filter']);
        expect(byName.json.filters_applied).toEqual({ username: 'gina_fil' });
        const admins = await api.call('GET', '/admin/users', { token, query: { is_admin: 'true' } });
        expect(admins.json.users.map((u: { username: string }) => u.username)).toEqual(['admin']);
        const locale = await api.call('GET', '/admin/users', { token, query: { locale: 'nb' } });
        expect(locale.json.users.map((u: { username: string }) => u.username)).toEqual(['carol']);
        const future = await api.call('GET', '/admin/users', { token, query: { created_after: '2999-01-01T00:00:00Z' } });
        expect(future.json).toMatchObject({ users: [], total_count: 0, page_info: { total_pages: 0, has_next: false } });
        const past = await api.call('GET', '/admin/users', { token, query: { created_after: '2000-01-01', created_before: '2999-01-01T00:00:00' } });
        expect(past.json.total_count).toBeGreaterThanOrEqual(3);
        const sorted = await api.call('GET', '/admin/users', { token, query: { sort_by: 'username', sort_order: 'asc', limit: '2', skip: '1' } });
        expect(sorted.json.page_info).toMatchObject({ skip: 1, limit: 2, has_previous: true, current_page: 1 });
        expect(sorted.json.users).toHaveLength(2);
        const search = await api.call('GET', '/admin/users', { token, query: { search: 'GINA' } });
        expect(search.json.total_count).toBe(1);
      });

      it('refuses a bad date with 400 and a bad limit with 422', async () => {
        const res = await api.call('GET', '/admin/users', { token, query: { last_login_before: 'yesterday' } });
        expect(res.status).toBe(400);
        expect(res.json).toEqual({ detail: 'Invalid last_login_before date format. Use ISO format.' });
        expect((await api.call('GET', '/admin/users', { token, query: { limit: '101' } })).status).toBe(422);
      });
    });

    describe('GET/PUT /admin/users/{id}', () => {
      it('gets a user; 404 unknown; 422 non-UUID', async () => {
        const res = await api.call('GET', `/admin/users/${server.user.id}`, { token });
        expect(res.status).toBe(200);
        expect(res.json.username).toBe(server.user.username);
        expect((await api.call('GET', '/admin/users/00000000-0000-4000-8000-000000000000', { token })).json).toEqual({ detail: 'User not found' });
        expect((await api.call('GET', '/admin/users/123', { token })).status).toBe(422);
      });

      it('updates fields, drops nulls, re-hashes the password, and refuses empty or invalid updates', async () => {
        const user = await createVerified('henry');
        const res = await api.call('PUT', `/admin/users/${user.id}`, { token, body: { given_name: 'Henry', email: null, is_active: false } });
        expect(res.status).toBe(200);
        expect(res.json).toMatchObject({ given_name: 'Henry', email: 'henry@example.com', is_active: false });
        const none = await api.call('PUT', `/admin/users/${user.id}`, { token, body: { email: null } });
        expect(none.json).toEqual({ detail: 'No fields provided for update' });
        const weak = await api.call('PUT', `/admin/users/${user.id}`, { token, body: { password: 'weakpassword' } });
        expect(weak.json).toEqual({ detail: 'Password must contain at least one uppercase letter' });
        const taken = await api.call('PUT', `/admin/users/${user.id}`, { token, body: { username: 'carol' } });
        expect(taken.json).toEqual({ detail: "Username 'carol' already exists" });
        await api.call('PUT', `/admin/users/${user.id}`, { token, body: { is_active: true, password: 'N3w-Passw0rd!' } });
        expect((await api.login('henry', 'N3w-Passw0rd!', '')).status).toBe(200);
        const missing = await api.call('PUT', '/admin/users/00000000-0000-4000-8000-000000000000', { token, body: { given_name: 'x' } });
        expect(missing.status).toBe(404);
      });

      it('shows last_login once a password grant succeeded, as of that login, and not after a failed one', async () => {
        const user = await createVerified('lena');
        expect((await api.call('GET', `/admin/users/${user.id}`, { token })).json.last_login).toBeNull();
        expect((await api.login('lena', 'Wr0ng-Passw0rd!', '')).status).toBe(400);
        expect((await api.call('GET', `/admin/users/${user.id}`, { token })).json.last_login).toBeNull();
        const before = Date.now();
        expect((await api.login('lena', STRONG, '')).status).toBe(200);
        const shown = (await api.call('GET', `/admin/users/${user.id}`, { token })).json as { last_login: string; updated_at: string };
        expect(Date.parse(shown.last_login)).toBeGreaterThanOrEqual(before - 1000);
        expect(Date.parse(shown.updated_at)).toBeGreaterThanOrEqual(Date.parse(shown.last_login) - 1000);
      });

      it('refuses an admin revoking its own admin flag', async () => {
        const res = await api.call('PUT', `/admin/users/${adminId}`, { token, body: { is_admin: false } });
        expect(res.status).toBe(400);
        expect(res.json).toEqual({ detail: 'Admin users cannot revoke their own admin privileges for security reasons' });
      });
    });

    describe('DELETE /admin/users/{id}', () => {
      it('refuses deleting the last admin', async () => {
        const res = await api.call('DELETE', `/admin/users/${adminId}`, { token });
        expect(res.status).toBe(400);
        expect(res.json).toEqual({ detail: 'Cannot remove admin privileges from or delete the last admin user' });
      });

      it('deletes the user with its tokens and codes (cascade), 204', async () => {
        const user = await createVerified('ivan');
        const access = await api.token('ivan', STRONG, '');
        const repos = server.app.container.repositories;
        const code = await repos.authorizationCodes.save({
          code: `digest-${user.id}`,
          clientId: server.confidential.client.id,
          userId: user.id,
          redirectUri: server.redirectUri,
          expiresAt: new Date(Date.now() + 60_000),
          codeChallenge: 'x'.repeat(43),
        });
        const res = await api.call('DELETE', `/admin/users/${user.id}`, { token });
        expect(res.status).toBe(204);
        expect(res.body).toBe('');
        expect(await repos.users.findById(user.id)).toBeUndefined();
        expect(await repos.tokens.findByJti(jtiOf(access))).toBeUndefined();
        expect(await repos.authorizationCodes.findByCode(code.code)).toBeUndefined();
        expect((await api.call('GET', '/api/v1/users/me', { token: access })).status).toBe(401);
        expect((await api.call('DELETE', `/admin/users/${user.id}`, { token })).status).toBe(404);
      });
    });

    describe('POST /admin/users/{id}/reset-password', () => {
      it("sets a temporary password that must be changed and revokes the user's access tokens", async () => {
        const user = await createVerified('judy');
        const access = await api.token('judy', STRONG, '');
        const res = await api.call('POST', `/admin/users/${user.id}/reset-password`, { token });
        expect(res.status).toBe(200);
        expect(res.json).toMatchObject({ user_id: user.id, username: 'judy', requires_password_change: true, invalidated_sessions: 1, message: 'Password reset successfully. User must change password on next login.' });
        expect(res.json.temporary_password).toHaveLength(12);
        expect((await api.call('GET', '/api/v1/users/me', { token: access })).status).toBe(401);
        expect((await api.login('judy', STRONG, '')).status).toBe(400);
        const fresh = await api.token('judy', res.json.temporary_password, '');
        expect((await api.call('GET', '/api/v1/auth/password-status', { token: fresh })).json.requires_password_change).toBe(true);
        expect((await api.call('POST', '/admin/users/00000000-0000-4000-8000-000000000000/reset-password', { token })).json).toEqual({ detail: 'User not found' });
      });
    });

    describe('sessions', () => {
      it('lists, revokes one and revokes all; revoked tokens stop working at once', async () => {
        const user = await createVerified('kate');
        const first = await api.login('kate', STRONG, '');
        const second = await api.login('kate', STRONG, '');
        const list = await api.call('GET', `/admin/users/${user.id}/sessions`, { token });
        expect(list.status).toBe(200);
        // Sessions are token rows of both types; active_count counts access tokens.
        expect(list.json).toMatchObject({ total_count: 4, active_count: 2, page_info: { skip: 0, limit: 25, total_pages: 1 } });
        expect(list.json.sessions.map((s: { token_type: string }) => s.token_type).sort()).toEqual(['access', 'access', 'refresh', 'refresh']);
        const newest = list.json.sessions.find((s: { token_jti: string }) => s.token_jti === jtiOf(second.json.access_token));
        expect(newest).toMatchObject({ token_type: 'access', is_active: true, is_expired: false, is_invalidated: false, invalidated_at: null });
        const paged = await api.call('GET', `/admin/users/${user.id}/sessions`, { token, query: { skip: '1', limit: '2' } });
        expect(paged.json).toMatchObject({ total_count: 4, sessions: [{}, {}] });

        const sessionId = newest.session_id;
        const one = await api.call('DELETE', `/admin/users/${user.id}/sessions/${sessionId}`, { token });
        expect(one.status).toBe(200);
        expect(one.json).toEqual({ user_id: user.id, username: 'kate', session_id: sessionId, token_jti: jtiOf(second.json.access_token), token_type: 'access', message: 'Session successfully revoked.' });
        expect((await api.call('GET', '/api/v1/users/me', { token: second.json.access_token })).status).toBe(401);
        const again = await api.call('DELETE', `/admin/users/${user.id}/sessions/${sessionId}`, { token });
        expect(again.json).toEqual({ detail: 'Session is already invalidated' });
        const unknown = await api.call('DELETE', `/admin/users/${user.id}/sessions/00000000-0000-4000-8000-000000000000`, { token });
        expect(unknown.status).toBe(404);
        expect(unknown.json).toEqual({ detail: 'Session not found' });
        const other = await createVerified('kate_other');
        const foreign = await api.call('DELETE', `/admin/users/${other.id}/sessions/${sessionId}`, { token });
        expect(foreign.status).toBe(400);
        expect(foreign.json).toEqual({ detail: 'Session does not belong to the specified user' });
        const activeOnly = await api.call('GET', `/admin/users/${user.id}/sessions`, { token, query: { include_inactive: 'false' } });
        expect(activeOnly.json.total_count).toBe(3);

        const all = await api.call('DELETE', `/admin/users/${user.id}/sessions`, { token });
        expect(all.status).toBe(200);
        expect(all.json).toEqual({ user_id: user.id, username: 'kate', revoked_sessions: 1, active_sessions_remaining: 0, message: 'Successfully revoked 1 active sessions. User must re-authenticate.' });
        expect((await api.call('GET', '/api/v1/users/me', { token: first.json.access_token })).status).toBe(401);
        // Refresh tokens are revoked too.
        const refresh = await api.call('POST', '/api/v1/oauth/refresh', { body: { grant_type: 'refresh_token', refresh_token: first.json.refresh_token } });
        expect(refresh.status).toBe(400);
        expect(refresh.json.error).toBe('invalid_grant');
      });

      it('404 for an unknown user, 422 for non-UUID ids', async () => {
        const missing = '00000000-0000-4000-8000-000000000000';
        for (const [method, url] of [['GET', `/admin/users/${missing}/sessions`], ['DELETE', `/admin/users/${missing}/sessions`], ['DELETE', `/admin/users/${missing}/sessions/${missing}`]] as const) {
          const res = await api.call(method, url, { token });
          expect(res.status).toBe(404);
          expect(res.json).toEqual({ detail: 'User not found' });
        }
        expect((await api.call('DELETE', `/admin/users/${missing}/sessions/nope`, { token })).status).toBe(422);
      });
    });

    it('still accepts the bootstrap admin password after all of this', async () => {
      expect((await api.login('admin', ADMIN_PASSWORD)).status).toBe(200);
    });
  });
}
