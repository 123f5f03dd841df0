import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestBackend, TestServer } from '../helpers/app.js';
import { hasPostgres } from '../helpers/services.js';
import type { ApiClient } from '../protection/api-client.js';
import { startAdminServer } from '../protection/api-client.js';
import {
  appClient,
  browserLogin,
  codeFromSession,
  createUser,
  exchangeCode,
  fullLogin,
  introspectAs,
  refresh,
  sessionSignedIn,
  STRONG,
  uniqueName,
  userInfoStatus,
} from './identity-helpers.js';

/*
 * Rule: an unverified or inactive user gets no tokens by any path — the login form, the code
 * exchange, refresh, bearer use, introspection, a browser session — exactly as the password
 * grant already refused them. Each attack is sent over HTTP on SQLite and PostgreSQL.
 */
const backends: TestBackend[] = ['sqlite', ...(hasPostgres ? (['postgresql'] as const) : [])];

describe.each(backends)('unverified and inactive users get no tokens (%s)', (backend) => {
  let server: TestServer;
  let api: ApiClient;
  let adminToken: string;
  let app: Awaited<ReturnType<typeof appClient>>;

  beforeAll(async () => {
    ({ server, api, adminToken } = await startAdminServer(backend));
    app = await appClient(server);
  });
  afterAll(async () => server?.close());

  /** Flips a flag straight in storage, as another instance or an operator might: no revocation runs. */
  async function setFlags(userId: string, flags: { isVerified?: boolean; isActive?: boolean }): Promise<void> {
    await server.app.container.repositories.users.update(userId, flags);
  }

  it('a self-registered (unverified) account cannot sign in on the authorization page, as the password grant says', async () => {
    const username = uniqueName('mallory');
    const reg = await api.call('POST', '/api/v1/users/', { body: { username, email: `${username}@example.com`, password: STRONG } });
    expect(reg.status).toBe(201);
    expect(reg.json.is_verified).toBe(false);

    const grant = await api.login(username, STRONG, '');
    expect(grant.status).toBe(400);
    expect(grant.json).toEqual({ error: 'invalid_grant', error_description: 'Account not verified' });

    const login = await browserLogin(server, app.client, username, STRONG);
    expect(login.status).toBe(401);
    expect(login.code).toBeUndefined();
    expect(login.sessionCookie).toBeUndefined();
    expect(login.page).toContain('Account not verified');
  });

  it('a deactivated account cannot sign in on the authorization page either', async () => {
    const user = await createUser(api, adminToken, 'inactive', { is_active: false });
    const login = await browserLogin(server, app.client, user.username, STRONG);
    expect(login.status).toBe(401);
    expect(login.code).toBeUndefined();
    expect(login.page).toContain('Account is deactivated');
  });

  it('a code issued before the account became unverified or inactive cannot be exchanged', async () => {
    for (const flags of [{ isVerified: false }, { isActive: false }]) {
      const user = await createUser(api, adminToken, 'coder');
      const login = await browserLogin(server, app.client, user.username, STRONG);
      expect(login.code).toBeDefined();
      await setFlags(user.id, flags);
      const exchanged = await exchangeCode(server, app.basic, login.code!, login.verifier);
      expect(exchanged.status).toBe(400);
      expect(exchanged.body).toEqual({
        error: 'invalid_grant',
        error_description: flags.isActive === false ? 'Account is deactivated' : 'Account not verified',
      });
    }
  });

  it('refresh, bearer use, introspection and the browser session all refuse an account that became unverified', async () => {
    const user = await createUser(api, adminToken, 'lapsed');
    const { sessionCookie, accessToken, refreshToken } = await fullLogin(server, app, user.username);
    // Live before the change, so the refusals below are the rule, not a broken set-up.
    expect(await userInfoStatus(server, accessToken)).toBe(200);
    expect(await sessionSignedIn(server, sessionCookie)).toBe(true);
    expect((await introspectAs(server, app.basic, accessToken)).active).toBe(true);

    await setFlags(user.id, { isVerified: false });

    const me = await api.call('GET', '/api/v1/users/me', { token: accessToken });
    expect(me.status).toBe(401);
    expect(me.json).toEqual({ detail: 'Could not validate credentials' });
    expect(await userInfoStatus(server, accessToken)).toBe(401);
    expect(await introspectAs(server, app.basic, accessToken)).toEqual({ active: false });
    expect(await introspectAs(server, app.basic, refreshToken)).toEqual({ active: false });
    expect(await sessionSignedIn(server, sessionCookie)).toBe(false);
    const replay = await codeFromSession(server, app.client, sessionCookie);
    expect(replay.signedInAs).toBe(false);
    expect(replay.code).toBeUndefined();
    const refreshed = await refresh(server, app.basic, refreshToken);
    expect(refreshed.status).toBe(400);
    expect(refreshed.body).toEqual({ error: 'invalid_grant', error_description: 'Account not verified' });
  });

  it('an account made inactive straight in storage loses bearer use, refresh and its browser session at once', async () => {
    const user = await createUser(api, adminToken, 'parked');
    const { sessionCookie, accessToken, refreshToken } = await fullLogin(server, app, user.username);
    await setFlags(user.id, { isActive: false });
    expect((await api.call('GET', '/api/v1/users/me', { token: accessToken })).status).toBe(401);
    expect(await introspectAs(server, app.basic, accessToken)).toEqual({ active: false });
    expect(await sessionSignedIn(server, sessionCookie)).toBe(false);
    expect((await refresh(server, app.basic, refreshToken)).body).toEqual({ error: 'invalid_grant', error_description: 'Account is deactivated' });
  });

  it('bearer-authenticated authorize (Authly API style) refuses the token of an unverified account', async () => {
    const user = await createUser(api, adminToken, 'apistyle');
    const { accessToken } = await fullLogin(server, app, user.username);
    await setFlags(user.id, { isVerified: false });
    const res = await fetch(`${server.url}/api/v1/oauth/authorize`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Bearer ${accessToken}`, accept: 'application/json' },
      body: new URLSearchParams({
        client_id: app.client.clientId,
        redirect_uri: server.redirectUri,
        response_type: 'code',
        scope: 'read',
        code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
        code_challenge_method: 'S256',
        approved: 'true',
      }),
      redirect: 'manual',
    });
    await res.text();
    expect(res.headers.get('location') ?? '').not.toContain('code=');
    expect(res.status).toBe(401);
  });
});
