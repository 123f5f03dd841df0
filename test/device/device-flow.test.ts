import * as client from 'openid-client';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/app.js';
import { hasChromium, launchBrowser } from '../helpers/browser.js';

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

async function deviceClient(server: TestServer): Promise<{ config: client.Configuration; clientId: string }> {
  const { client: registered } = await server.addClient({
    clientType: 'public',
    tokenEndpointAuthMethod: 'none',
    grantTypes: [DEVICE_GRANT, 'refresh_token'],
    scope: 'openid profile offline_access',
  });
  const config = await client.discovery(new URL(server.url), registered.clientId, undefined, client.None(), { execute: [client.allowInsecureRequests] });
  return { config, clientId: registered.clientId };
}

async function tokenRequest(server: TestServer, form: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${server.url}/api/v1/oauth/token`, { method: 'POST', body: new URLSearchParams(form) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** The user's side: open the verification page, confirm the code, then sign in and answer. */
async function answerInBrowser(page: Page, server: TestServer, uri: string, approve: boolean): Promise<string> {
  await page.goto(uri);
  await page.click('#continue-btn');
  await page.waitForSelector('#consent-form');
  await page.fill('#username', server.user.username);
  await page.fill('#password', server.password);
  await page.click(approve ? '#authorize-btn' : '#deny-btn');
  return (await page.waitForSelector('#device-result')).innerText();
}

describe.skipIf(!hasChromium)('device authorization grant (RFC 8628) with openid-client and Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let config: client.Configuration;
  let clientId: string;

  beforeAll(async () => {
    server = await startTestServer('sqlite', { AUTHLY_DEVICE_AUTHORIZATION__INTERVAL_SECONDS: '3' });
    ({ config, clientId } = await deviceClient(server));
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('advertises the endpoint and the grant type', () => {
    const metadata = config.serverMetadata();
    expect(metadata.device_authorization_endpoint).toBe(`${server.url}/api/v1/oauth/device_authorization`);
    expect(metadata.grant_types_supported).toContain(DEVICE_GRANT);
  });

  it('a device polls while the user enters the code and signs in in a browser; the ID token carries sid', async () => {
    const response = await client.initiateDeviceAuthorization(config, { scope: 'openid profile offline_access' });
    expect(response.user_code).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
    expect(response.verification_uri).toBe(`${server.url}/api/v1/oauth/device`);
    expect(response.interval).toBe(3);
    const polling = client.pollDeviceAuthorizationGrant(config, response);

    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(response.verification_uri);
    // The user types the code as they read it, in lower case and with spaces.
    await page.fill('#user_code', response.user_code.toLowerCase().replace('-', ' '));
    await page.click('#continue-btn');
    await page.waitForSelector('#consent-form');
    expect(await page.locator('#scopes').innerText()).toContain('openid');
    await page.fill('#username', server.user.username);
    await page.fill('#password', server.password);
    await page.click('#authorize-btn');
    expect(await (await page.waitForSelector('#device-result')).innerText()).toBe('Device Connected');

    const tokens = await polling;
    expect(tokens.scope).toBe('openid profile offline_access');
    // OIDC Core §11: an OpenID Connect login gets a refresh token because offline_access was granted.
    expect(tokens.refresh_token).toBeTruthy();
    const claims = tokens.claims()!;
    expect(claims.sub).toBe(server.user.id);
    expect(claims.aud).toBe(clientId);
    expect(typeof claims.sid).toBe('string');
    const jwks = createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri!));
    await jwtVerify(tokens.id_token!, jwks, { issuer: server.url, audience: clientId });
    const userinfo = await client.fetchUserInfo(config, tokens.access_token, server.user.id);
    expect(userinfo.given_name).toBe('Alice');

    // Single use: the device code is spent (after the interval, so not a slow_down).
    const reused = await tokenRequest(server, { grant_type: DEVICE_GRANT, device_code: response.device_code, client_id: clientId });
    expect(reused.body.error).toBe('invalid_grant');

    // A second device in the same browser: the live session only asks for consent.
    const second = await client.initiateDeviceAuthorization(config, { scope: 'openid' });
    await page.goto(second.verification_uri_complete!);
    await page.click('#continue-btn');
    await page.waitForSelector('#signed-in-as');
    await page.click('#authorize-btn');
    expect(await (await page.waitForSelector('#device-result')).innerText()).toBe('Device Connected');
    const again = await client.pollDeviceAuthorizationGrant(config, second);
    expect(again.claims()!.sid).toBe(claims.sid);
    await context.close();
  });

  it('polling faster than the interval gets slow_down, and the interval grows by 5 s', async () => {
    const response = await client.initiateDeviceAuthorization(config, { scope: 'openid' });
    const form = { grant_type: DEVICE_GRANT, device_code: response.device_code, client_id: clientId };
    const first = await tokenRequest(server, form);
    expect(first).toMatchObject({ status: 400, body: { error: 'authorization_pending' } });
    const second = await tokenRequest(server, form);
    expect(second).toMatchObject({ status: 400, body: { error: 'slow_down' } });
    const third = await tokenRequest(server, form);
    expect(third.body.error).toBe('slow_down');
  });

  it('a denied request ends in access_denied', async () => {
    const response = await client.initiateDeviceAuthorization(config, { scope: 'openid' });
    // The outcome is captured at once: the poll may fail while the browser is still on its page,
    // and a rejection nobody listens to yet would be reported as unhandled.
    const polling = client.pollDeviceAuthorizationGrant(config, response).then(
      () => new Error('the denied request yielded tokens'),
      (error: unknown) => error,
    );
    const context = await browser.newContext();
    expect(await answerInBrowser(await context.newPage(), server, response.verification_uri_complete!, false)).toBe('Request Denied');
    expect(await polling).toMatchObject({ error: 'access_denied' });
    await context.close();
  });

  it('refuses a client not registered for the grant, an unknown scope and a forged device code', async () => {
    const start = (body: Record<string, string>) => fetch(`${server.url}/api/v1/oauth/device_authorization`, { method: 'POST', body: new URLSearchParams(body) });
    const notAllowed = await start({ client_id: server.publicClient.clientId });
    expect(notAllowed.status).toBe(400);
    expect(((await notAllowed.json()) as { error: string }).error).toBe('unauthorized_client');
    const badScope = await start({ client_id: clientId, scope: 'admin:users:write' });
    expect(((await badScope.json()) as { error: string }).error).toBe('invalid_scope');
    const noClient = await start({});
    expect(noClient.status).toBe(401);
    const forged = await tokenRequest(server, { grant_type: DEVICE_GRANT, device_code: 'forged', client_id: clientId });
    expect(forged.body.error).toBe('invalid_grant');
  });

  it('refuses a code entry or an answer without the CSRF token', async () => {
    const response = await client.initiateDeviceAuthorization(config, { scope: 'openid' });
    const post = await fetch(`${server.url}/api/v1/oauth/device`, { method: 'POST', body: new URLSearchParams({ user_code: response.user_code }) });
    expect(post.status).toBe(403);
    const answer = await fetch(`${server.url}/api/v1/oauth/device`, {
      method: 'POST',
      body: new URLSearchParams({ user_code: response.user_code, approved: 'true', username: server.user.username, password: server.password }),
    });
    expect(answer.status).toBe(403);
    const poll = await tokenRequest(server, { grant_type: DEVICE_GRANT, device_code: response.device_code, client_id: clientId });
    expect(poll.body.error).toBe('authorization_pending');
  });
});

describe('device authorization grant: expiry and user-code guessing', () => {
  let server: TestServer;
  let config: client.Configuration;

  beforeAll(async () => {
    server = await startTestServer('sqlite', {
      AUTHLY_DEVICE_AUTHORIZATION__INTERVAL_SECONDS: '1',
      AUTHLY_DEVICE_AUTHORIZATION__EXPIRES_IN_SECONDS: '2',
      AUTHLY_RATE_LIMIT__DEVICE_CODE_ENTRY_PER_IP: '3',
    });
    ({ config } = await deviceClient(server));
  });
  afterAll(async () => server?.close());

  it('an unanswered code ends in expired_token', async () => {
    const response = await client.initiateDeviceAuthorization(config, { scope: 'openid' });
    // openid-client gives up on its own clock at expires_in; the server's answer is polled by hand.
    const form = { grant_type: DEVICE_GRANT, device_code: response.device_code, client_id: config.clientMetadata().client_id };
    const errors: unknown[] = [];
    for (let i = 0; i < 30 && errors.at(-1) !== 'expired_token'; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 1100));
      errors.push((await tokenRequest(server, form)).body.error);
    }
    expect(errors[0]).toBe('authorization_pending');
    expect(errors.at(-1)).toBe('expired_token');
  });

  it('wrong user codes are limited per address: past the limit even the right code is refused', async () => {
    const page = await fetch(`${server.url}/api/v1/oauth/device`);
    const cookie = page.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const csrf = /name="csrf_token" value="([^"]+)"/.exec(await page.text())![1]!;
    const enter = (userCode: string) =>
      fetch(`${server.url}/api/v1/oauth/device`, { method: 'POST', headers: { cookie }, body: new URLSearchParams({ user_code: userCode, csrf_token: csrf }) });
    for (const guess of ['BCDF-GHJK', 'not a code', 'ZZZZ-ZZZZ']) expect((await enter(guess)).status).toBe(400);
    const response = await client.initiateDeviceAuthorization(config, { scope: 'openid' });
    const refused = await enter(response.user_code);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
  });
});
