import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import type { Client } from '../../src/domain/client.js';
import { SESSION_COOKIE } from '../../src/http/routes/session-cookies.js';
import type { TestServer } from '../helpers/app.js';
import { loginThroughForm, parseLoginForm } from '../helpers/login-form.js';
import { authorizationUrl, pkcePair, tokenRequest } from '../helpers/oauth-flow.js';
import type { ApiClient } from '../protection/api-client.js';

/** A password every account in these tests is given (meets the admin strength rule). */
export const STRONG = 'Str0ng-Passw0rd!';

/** A confidential client registered for `openid profile read`, with the code and refresh grants. */
export async function appClient(server: TestServer): Promise<{ client: Client; basic: { id: string; secret: string } }> {
  const { client, secret } = await server.addClient({ scope: 'openid profile read offline_access', grantTypes: ['authorization_code', 'refresh_token'] });
  return { client, basic: { id: client.clientId, secret: secret! } };
}

/** The authorization URL of `client` with a fresh PKCE challenge. */
function authorize(server: TestServer, client: Client, challenge: string, scope: string): string {
  return authorizationUrl(server, {
    client_id: client.clientId,
    redirect_uri: server.redirectUri,
    response_type: 'code',
    scope,
    state: 'st',
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });
}

/** What a login through the authorization page gave the browser. */
export interface BrowserLogin {
  /** The redirect's status (302 on success; the page again, 401, when refused). */
  status: number;
  /** The code in the redirect, if any. */
  code: string | undefined;
  verifier: string;
  /** `name=value` of the session cookie the server set, if any. */
  sessionCookie: string | undefined;
  /** The page body when the login was refused. */
  page: string;
}

/** Signs in on the authorization page as a browser does. */
export async function browserLogin(server: TestServer, client: Client, username: string, password: string, scope = 'openid profile read offline_access'): Promise<BrowserLogin> {
  const { verifier, challenge } = pkcePair();
  const res = await loginThroughForm(authorize(server, client, challenge, scope), { username, password });
  const location = res.headers.get('location');
  const code = location ? (new URL(location).searchParams.get('code') ?? undefined) : undefined;
  const sessionCookie = res.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`))?.split(';')[0];
  return { status: res.status, code, verifier, sessionCookie, page: location ? '' : await res.text() };
}

/** What `/oidc/session/check` says about a replayed session cookie. */
export async function sessionSignedIn(server: TestServer, sessionCookie: string): Promise<boolean> {
  const res = await fetch(`${server.url}/oidc/session/check?client_id=x`, { headers: { cookie: sessionCookie } });
  expect(res.status).toBe(200);
  return ((await res.json()) as { authenticated: boolean }).authenticated;
}

/**
 * Replays a session cookie at the authorization page: a live session gets the consent-only page
 * ("Signed in as …") and, approving without a password, a code. `undefined` when no code comes.
 */
export async function codeFromSession(server: TestServer, client: Client, sessionCookie: string): Promise<{ signedInAs: boolean; code: string | undefined; verifier: string }> {
  const { verifier, challenge } = pkcePair();
  const url = authorize(server, client, challenge, 'openid read');
  const page = await fetch(url, { headers: { cookie: sessionCookie }, redirect: 'manual' });
  const straight = page.headers.get('location');
  if (straight) {
    // A live session whose user already consented to these scopes goes straight through
    // (OIDC Core §3.1.2.4): the session was recognised and the code is in the redirect.
    await page.text();
    return { signedInAs: true, code: new URL(straight).searchParams.get('code') ?? undefined, verifier };
  }
  const html = await page.text();
  expect(page.status).toBe(200);
  const form = parseLoginForm(html, page, url);
  const body = new URLSearchParams({ ...form.fields, approved: 'true' });
  const res = await fetch(form.action, { method: 'POST', body, headers: { cookie: `${form.cookie}; ${sessionCookie}` }, redirect: 'manual' });
  const location = res.headers.get('location');
  if (!location) await res.text();
  const code = location ? (new URL(location).searchParams.get('code') ?? undefined) : undefined;
  return { signedInAs: html.includes('id="signed-in-as"'), code, verifier };
}

/** Exchanges a code at the token endpoint (confidential client, Basic). */
export function exchangeCode(server: TestServer, basic: { id: string; secret: string }, code: string, verifier: string) {
  return tokenRequest(server, { grant_type: 'authorization_code', code, redirect_uri: server.redirectUri, code_verifier: verifier }, basic);
}

/** Refreshes at the token endpoint (confidential client, Basic). */
export function refresh(server: TestServer, basic: { id: string; secret: string }, refreshToken: string) {
  return tokenRequest(server, { grant_type: 'refresh_token', refresh_token: refreshToken }, basic);
}

/** Introspects as the confidential client (authenticated, as a resource server would). */
export async function introspectAs(server: TestServer, basic: { id: string; secret: string }, token: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${server.url}/api/v1/oauth/introspect`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${encodeURIComponent(basic.id)}:${encodeURIComponent(basic.secret)}`).toString('base64')}`,
    },
    body: new URLSearchParams({ token }),
  });
  return (await res.json()) as Record<string, unknown>;
}

/** Status of `GET /oidc/userinfo` with a bearer token. */
export async function userInfoStatus(server: TestServer, accessToken: string): Promise<number> {
  const res = await fetch(`${server.url}/oidc/userinfo`, { headers: { authorization: `Bearer ${accessToken}` } });
  await res.text();
  return res.status;
}

/** A unique, admin-rule-valid username. */
export function uniqueName(stem: string): string {
  return `${stem}_${randomBytes(3).toString('hex')}`;
}

/** Creates a verified, active user through the admin API; returns its id and name. */
export async function createUser(api: ApiClient, adminToken: string, stem: string, extra: Record<string, unknown> = {}): Promise<{ id: string; username: string }> {
  const username = uniqueName(stem);
  const res = await api.call('POST', '/admin/users', {
    token: adminToken,
    body: { username, email: `${username}@example.com`, password: STRONG, is_verified: true, ...extra },
  });
  expect(res.status, res.body).toBe(201);
  return { id: res.json.id as string, username };
}

/** A browser login, its code exchanged: the access and refresh tokens and the session cookie. */
export async function fullLogin(server: TestServer, app: { client: Client; basic: { id: string; secret: string } }, username: string, password = STRONG) {
  const login = await browserLogin(server, app.client, username, password);
  expect(login.status, login.page.slice(0, 300)).toBe(302);
  const tokens = await exchangeCode(server, app.basic, login.code!, login.verifier);
  expect(tokens.status, JSON.stringify(tokens.body)).toBe(200);
  // OIDC Core §11: offline_access was asked for, so a refresh token came; the tests that replay it rely on that.
  expect(typeof tokens.body.refresh_token).toBe('string');
  return { sessionCookie: login.sessionCookie!, accessToken: tokens.body.access_token as string, refreshToken: tokens.body.refresh_token as string };
}
