import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestBackend, TestServer } from '../helpers/app.js';
import { hasPostgres } from '../helpers/services.js';
import type { ApiClient } from '../protection/api-client.js';
import { ALL_ADMIN_SCOPES, startAdminServer } from '../protection/api-client.js';
import { appClient, codeFromSession, createUser, exchangeCode, fullLogin, refresh, sessionSignedIn, STRONG, uniqueName, userInfoStatus } from './identity-helpers.js';

/*
 * Rule: logging out, revoking sessions, resetting or changing a password, deactivating a user or
 * a client, and demoting an admin end what they must — access and refresh tokens, and browser
 * sessions, whose cookies stay signed and unexpired, so a replayed copy is the attack. Each is
 * sent over HTTP on SQLite and PostgreSQL; the in-process user cache is on, so a stale cached
 * row would show up as a session that survives.
 */
const backends: TestBackend[] = ['sqlite', ...(hasPostgres ? (['postgresql'] as const) : [])];

describe.each(backends)('credential changes end tokens and browser sessions (%s)', (backend) => {
  let server: TestServer;
  let api: ApiClient;
  let adminToken: string;
  let app: Awaited<ReturnType<typeof appClient>>;

  beforeAll(async () => {
    ({ server, api, adminToken } = await startAdminServer(backend, { AUTHLY_CACHE__BACKEND: 'memory' }));
    app = await appClient(server);
  });
  afterAll(async () => server?.close());

  /** A fresh user signed in through the browser, with live tokens and session (checked). */
  async function signedInUser(stem: string, extra: Record<string, unknown> = {}) {
    const user = await createUser(api, adminToken, stem, extra);
    const login = await fullLogin(server, app, user.username);
    expect(await sessionSignedIn(server, login.sessionCookie)).toBe(true);
    expect((await codeFromSession(server, app.client, login.sessionCookie)).code).toBeDefined();
    return { ...user, ...login };
  }

  /** The replayed cookie signs nobody in, and the authorization page asks for a password again. */
  async function expectSessionEnded(sessionCookie: string): Promise<void> {
    expect(await sessionSignedIn(server, sessionCookie)).toBe(false);
    const replay = await codeFromSession(server, app.client, sessionCookie);
    expect(replay.signedInAs).toBe(false);
    expect(replay.code).toBeUndefined();
  }

  async function expectTokensEnded(tokens: { accessToken: string; refreshToken: string }): Promise<void> {
    const me = await api.call('GET', '/api/v1/users/me', { token: tokens.accessToken });
    expect(me.status).toBe(401);
    expect(me.json).toEqual({ detail: 'Could not validate credentials' });
    const refreshed = await refresh(server, app.basic, tokens.refreshToken);
    expect(refreshed.status).toBe(400);
    expect(refreshed.body.error).toBe('invalid_grant');
  }

  it('POST /api/v1/auth/logout ends the browser session too', async () => {
    const u = await signedInUser('logout');
    const res = await api.call('POST', '/api/v1/auth/logout', { token: u.accessToken });
    expect(res.status).toBe(200);
    await expectSessionEnded(u.sessionCookie);
    await expectTokensEnded(u);
  });

  it('GET /oidc/logout ends the browser session on the server, not only in the browser', async () => {
    const u = await signedInUser('rplogout');
    const res = await fetch(`${server.url}/oidc/logout`, { headers: { cookie: u.sessionCookie } });
    expect(res.status).toBe(200);
    await res.text();
    await expectSessionEnded(u.sessionCookie);
  });

  it('DELETE /admin/users/{id}/sessions ends the browser sessions with the tokens', async () => {
    const u = await signedInUser('revoked');
    const res = await api.call('DELETE', `/admin/users/${u.id}/sessions`, { token: adminToken });
    expect(res.status).toBe(200);
    await expectSessionEnded(u.sessionCookie);
    await expectTokensEnded(u);
  });

  it('POST /admin/users/{id}/reset-password ends the refresh token and browser session, not only access tokens', async () => {
    const u = await signedInUser('reset');
    const res = await api.call('POST', `/admin/users/${u.id}/reset-password`, { token: adminToken });
    expect(res.status).toBe(200);
    expect(res.json.invalidated_sessions).toBe(1);
    await expectTokensEnded(u);
    await expectSessionEnded(u.sessionCookie);
  });

  it('POST /api/v1/auth/change-password ends every token, the caller\'s included, and every browser session; the answer keeps its shape', async () => {
    const u = await signedInUser('changer');
    // A second login elsewhere (the thief's copy) must end too.
    const other = await fullLogin(server, app, u.username);
    const res = await api.call('POST', '/api/v1/auth/change-password', {
      token: u.accessToken,
      body: { current_password: STRONG, new_password: 'N3w-Passw0rd!' },
    });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ message: 'Password successfully changed', requires_password_change: false });
    await expectTokensEnded(u);
    await expectTokensEnded(other);
    await expectSessionEnded(u.sessionCookie);
    await expectSessionEnded(other.sessionCookie);
    // The new password works; a new session is live.
    const again = await fullLogin(server, app, u.username, 'N3w-Passw0rd!');
    expect(await sessionSignedIn(server, again.sessionCookie)).toBe(true);
  });

  it('deactivating a user (PUT /admin/users/{id}) revokes its tokens: re-activating does not bring them back', async () => {
    const u = await signedInUser('deact');
    expect((await api.call('PUT', `/admin/users/${u.id}`, { token: adminToken, body: { is_active: false } })).status).toBe(200);
    await expectTokensEnded(u);
    await expectSessionEnded(u.sessionCookie);
    expect((await api.call('PUT', `/admin/users/${u.id}`, { token: adminToken, body: { is_active: true } })).status).toBe(200);
    await expectTokensEnded(u);
    await expectSessionEnded(u.sessionCookie);
  });

  it('a deactivated admin cannot create a new admin with its old token', async () => {
    const rogue = await createUser(api, adminToken, 'rogue', { is_admin: true });
    const rogueToken = await api.token(rogue.username, STRONG, ALL_ADMIN_SCOPES);
    expect((await api.call('PUT', `/admin/users/${rogue.id}`, { token: adminToken, body: { is_active: false } })).status).toBe(200);
    const username = uniqueName('minion');
    const res = await api.call('POST', '/admin/users', {
      token: rogueToken,
      body: { username, email: `${username}@example.com`, password: STRONG, is_admin: true, is_verified: true },
    });
    expect(res.status).toBe(401);
    expect((await api.login(username, STRONG, '')).status).toBe(400);
  });

  it('demoting an admin (PUT /admin/users/{id} is_admin:false) revokes its admin-scoped tokens; re-promotion does not revive them', async () => {
    const demoted = await createUser(api, adminToken, 'demoted', { is_admin: true });
    const oldToken = await api.token(demoted.username, STRONG, ALL_ADMIN_SCOPES);
    expect((await api.call('GET', '/admin/users', { token: oldToken })).status).toBe(200);
    expect((await api.call('PUT', `/admin/users/${demoted.id}`, { token: adminToken, body: { is_admin: false } })).status).toBe(200);
    expect((await api.call('GET', '/admin/users', { token: oldToken })).status).toBe(401);
    expect((await api.call('PUT', `/admin/users/${demoted.id}`, { token: adminToken, body: { is_admin: true } })).status).toBe(200);
    expect((await api.call('GET', '/admin/users', { token: oldToken })).status).toBe(401);
  });

  it('the admin check reads is_admin fresh at every request, not from the token', async () => {
    const admin2 = await createUser(api, adminToken, 'fresh', { is_admin: true });
    const token = await api.token(admin2.username, STRONG, ALL_ADMIN_SCOPES);
    expect((await api.call('GET', '/admin/users', { token })).status).toBe(200);
    // Straight in storage, so no revocation runs: only the fresh read can refuse.
    await server.app.container.repositories.users.update(admin2.id, { isAdmin: false });
    const res = await api.call('GET', '/admin/users', { token });
    expect(res.status).toBe(403);
    expect(res.json.detail).toMatch(/Administrative privileges required/);
  });

  it('demoting or setting the password through PUT /api/v1/users/{id} revokes the same way', async () => {
    const demoted = await createUser(api, adminToken, 'apidemote', { is_admin: true });
    const demotedToken = await api.token(demoted.username, STRONG, ALL_ADMIN_SCOPES);
    expect((await api.call('PUT', `/api/v1/users/${demoted.id}`, { token: adminToken, body: { is_admin: false } })).status).toBe(200);
    expect((await api.call('GET', '/api/v1/users/me', { token: demotedToken })).status).toBe(401);

    const u = await signedInUser('apipass');
    expect((await api.call('PUT', `/api/v1/users/${u.id}`, { token: adminToken, body: { password: 'An0ther-Passw0rd!' } })).status).toBe(200);
    await expectTokensEnded(u);
    await expectSessionEnded(u.sessionCookie);
  });

  it('an update that takes nothing away ends nothing', async () => {
    const u = await signedInUser('kept');
    expect((await api.call('PUT', `/admin/users/${u.id}`, { token: adminToken, body: { given_name: 'Kept' } })).status).toBe(200);
    expect((await api.call('GET', '/api/v1/users/me', { token: u.accessToken })).status).toBe(200);
    expect(await sessionSignedIn(server, u.sessionCookie)).toBe(true);
  });

  describe('deactivating a client', () => {
    async function clientWithTokens() {
      const own = await appClient(server);
      const user = await createUser(api, adminToken, 'clientuser');
      const login = await fullLogin(server, own, user.username);
      expect(await userInfoStatus(server, login.accessToken)).toBe(200);
      return { own, ...login };
    }

    it('DELETE /admin/clients/{id} revokes its tokens at UserInfo and refresh; re-activation does not revive them', async () => {
      const { own, accessToken, refreshToken } = await clientWithTokens();
      expect((await api.call('DELETE', `/admin/clients/${own.client.clientId}`, { token: adminToken })).status).toBe(200);
      expect(await userInfoStatus(server, accessToken)).toBe(401);
      expect((await api.call('PUT', `/admin/clients/${own.client.clientId}`, { token: adminToken, body: { is_active: true } })).status).toBe(200);
      expect(await userInfoStatus(server, accessToken)).toBe(401);
      expect((await refresh(server, own.basic, refreshToken)).status).toBe(400);
    });

    it('PUT /admin/clients/{id} with is_active:false revokes them too', async () => {
      const { own, accessToken } = await clientWithTokens();
      expect((await api.call('PUT', `/admin/clients/${own.client.clientId}`, { token: adminToken, body: { is_active: false } })).status).toBe(200);
      expect(await userInfoStatus(server, accessToken)).toBe(401);
    });

    it('the bearer check refuses a token whose client is inactive, even if its row was not revoked', async () => {
      const { own, accessToken } = await clientWithTokens();
      await server.app.container.repositories.clients.update(own.client.id, { isActive: false });
      expect(await userInfoStatus(server, accessToken)).toBe(401);
      expect((await api.call('GET', '/api/v1/users/me', { token: accessToken })).status).toBe(401);
    });
  });

  it('a code issued before a logout or password change cannot be exchanged after it', async () => {
    for (const end of ['logout', 'change-password'] as const) {
      const u = await signedInUser(`pending_${end.slice(0, 6)}`);
      const pending = await codeFromSession(server, app.client, u.sessionCookie);
      expect(pending.code).toBeDefined();
      const res =
        end === 'logout'
          ? await api.call('POST', '/api/v1/auth/logout', { token: u.accessToken })
          : await api.call('POST', '/api/v1/auth/change-password', { token: u.accessToken, body: { current_password: STRONG, new_password: 'N3w-Passw0rd!' } });
      expect(res.status).toBe(200);
      const exchanged = await exchangeCode(server, app.basic, pending.code!, pending.verifier);
      expect(exchanged.status).toBe(400);
      expect(exchanged.body.error).toBe('invalid_grant');
    }
  });
});
