import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/app.js';
import { hasChromium, launchBrowser } from '../helpers/browser.js';
import { authorizationUrl, pkcePair, tokenRequest } from '../helpers/oauth-flow.js';

const RESULTS_DIR = fileURLToPath(new URL('../../test-results/', import.meta.url));
const CLIENT_NAME = 'Test <App> & "Friends"';

const CLIENT_ORIGIN = 'http://127.0.0.1:9/';

/**
 * A page that records the browser's requests to the client's redirect URI. Nothing listens on
 * port 9, and Playwright cannot fulfil a request reached through a redirect ("the handler will
 * only be called for the first url if the response is a redirect"), so the browser's own attempt
 * is the evidence: it fails with ERR_CONNECTION_REFUSED (a CSP form-action block would fail
 * differently) and shows Chromium's error page.
 */
interface ClientPage {
  page: Page;
  /** Every request the browser made to the redirect URI, in order. */
  redirects: Request[];
  /** Console messages about a Content-Security-Policy violation (the page must cause none). */
  cspViolations: string[];
}

async function openClientPage(context: BrowserContext): Promise<ClientPage> {
  const page = await context.newPage();
  const redirects: Request[] = [];
  const cspViolations: string[] = [];
  page.on('request', (request) => {
    if (request.url().startsWith(CLIENT_ORIGIN)) redirects.push(request);
  });
  page.on('console', (message) => {
    if (/Content.Security.Policy/i.test(message.text())) cspViolations.push(message.text());
  });
  return { page, redirects, cspViolations };
}

/**
 * Clicks a button of the consent form and waits for the browser to follow the server's redirect
 * to the client; returns the URL it was sent to.
 */
async function submitToClient(server: TestServer, client: ClientPage, button: string): Promise<URL> {
  const before = client.redirects.length;
  const failed = client.page.waitForEvent('requestfailed', { predicate: (r) => r.url().startsWith(CLIENT_ORIGIN), timeout: 15_000 });
  await client.page.click(button);
  const request = await failed;
  // Let the error page commit, so the next goto is not interrupted by it.
  await client.page.waitForURL(/^chrome-error:/);

  expect(client.redirects).toHaveLength(before + 1);
  expect(client.redirects.at(-1)).toBe(request);
  expect(request.isNavigationRequest()).toBe(true);
  // The browser followed the server's 302 answer to the form POST (CSP form-action allowed it).
  const from = request.redirectedFrom();
  expect(from?.method()).toBe('POST');
  expect(from?.url()).toBe(`${server.url}/api/v1/oauth/authorize`);
  expect(request.failure()?.errorText).toBe('net::ERR_CONNECTION_REFUSED');
  return new URL(request.url());
}

function decodeJwtPayload(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}

describe.skipIf(!hasChromium)('login and consent page in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  /** One browser profile for the first sign-in and the session-based second authorization. */
  let context: BrowserContext;
  let client: ClientPage;

  beforeAll(async () => {
    server = await startTestServer('sqlite');
    browser = await launchBrowser();
    context = await browser.newContext();
    client = await openClientPage(context);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  function startAuthorization(extra: Record<string, string> = {}) {
    const { verifier, challenge } = pkcePair();
    const state = `state-${Math.random().toString(36).slice(2)}`;
    const nonce = `nonce-${Math.random().toString(36).slice(2)}`;
    const url = authorizationUrl(server, {
      client_id: server.confidential.client.clientId,
      redirect_uri: server.redirectUri,
      response_type: 'code',
      scope: 'openid profile',
      state,
      nonce,
      code_challenge: challenge,
      code_challenge_method: 'S256',
      ...extra,
    });
    return { url, verifier, state, nonce };
  }

  let first: ReturnType<typeof startAuthorization>;

  it('renders the login page with the client name escaped and the requested scopes', async () => {
    first = startAuthorization();
    const { page } = client;
    const response = await page.goto(first.url);
    expect(response?.status()).toBe(200);

    expect(await page.title()).toContain('Authorize Application');
    expect(await page.locator('h1').textContent()).toBe('Authorize Application');
    // The name is shown as text, never parsed as markup.
    expect(await page.locator('#client-name').textContent()).toBe(CLIENT_NAME);
    expect(await page.locator('app').count()).toBe(0);
    expect(await page.locator('#consent-form').getByText(CLIENT_NAME).count()).toBe(0);

    const scopes = await page.locator('#scopes li strong').allTextContents();
    expect(scopes).toEqual(expect.arrayContaining(['openid', 'profile']));

    expect(await page.locator('#username').isVisible()).toBe(true);
    expect(await page.locator('#password').isVisible()).toBe(true);
    expect(await page.locator('#authorize-btn').isVisible()).toBe(true);
    expect(await page.locator('#deny-btn').isVisible()).toBe(true);

    expect(client.cspViolations).toEqual([]);

    fs.mkdirSync(RESULTS_DIR, { recursive: true });
    await page.screenshot({ path: `${RESULTS_DIR}login-page.png`, fullPage: true });
  });

  it('signs in, redirects to the client with code, state and iss, and the code buys an ID token', async () => {
    const { page } = client;
    await page.fill('#username', server.user.username);
    await page.fill('#password', server.password);
    const redirect = await submitToClient(server, client, '#authorize-btn');

    expect(`${redirect.origin}${redirect.pathname}`).toBe(server.redirectUri);
    const code = redirect.searchParams.get('code');
    expect(code).toBeTruthy();
    expect(redirect.searchParams.get('state')).toBe(first.state);
    expect(redirect.searchParams.get('iss')).toBe(server.url);
    expect(redirect.searchParams.get('error')).toBeNull();

    const token = await tokenRequest(
      server,
      { grant_type: 'authorization_code', code: code!, redirect_uri: server.redirectUri, code_verifier: first.verifier },
      { id: server.confidential.client.clientId, secret: server.confidential.secret },
    );
    expect(token.status).toBe(200);
    expect(typeof token.body.id_token).toBe('string');
    expect(decodeJwtPayload(token.body.id_token as string)).toMatchObject({
      iss: server.url,
      sub: server.user.id,
      aud: server.confidential.client.clientId,
      nonce: first.nonce,
    });
  });

  it('asks only for consent, not the password, when a signed-in browser asks for more than was approved', async () => {
    // The first authorization remembered consent to `openid profile` (OIDC Core §3.1.2.4); a wider
    // request shows the consent page again, to the signed-in user.
    const second = startAuthorization({ scope: 'openid profile email' });
    const { page } = client;
    const response = await page.goto(second.url);
    expect(response?.status()).toBe(200);

    expect(await page.locator('#signed-in-as').textContent()).toContain(server.user.username);
    expect(await page.locator('#password').count()).toBe(0);
    expect(await page.locator('#username').count()).toBe(0);

    const redirect = await submitToClient(server, client, '#authorize-btn');
    expect(redirect.searchParams.get('code')).toBeTruthy();
    expect(redirect.searchParams.get('state')).toBe(second.state);
    expect(redirect.searchParams.get('iss')).toBe(server.url);
    expect(client.cspViolations).toEqual([]);
  });

  it('shows the page again after a wrong password, and Deny redirects with access_denied', async () => {
    const fresh = await browser.newContext();
    try {
      const other = await openClientPage(fresh);
      const { url, state } = startAuthorization();
      await other.page.goto(url);

      await other.page.fill('#username', server.user.username);
      await other.page.fill('#password', 'not-the-password');
      const [response] = await Promise.all([
        other.page.waitForResponse((r) => r.request().method() === 'POST' && r.url().startsWith(`${server.url}/`)),
        other.page.click('#authorize-btn'),
      ]);
      expect(response.status()).toBe(401);
      await other.page.waitForLoadState('load');

      const alert = other.page.getByRole('alert');
      expect(await alert.isVisible()).toBe(true);
      expect((await alert.textContent())?.trim()).not.toBe('');
      expect(other.redirects).toEqual([]);
      expect(other.page.url().startsWith(`${server.url}/`)).toBe(true);
      expect(await other.page.locator('#password').isVisible()).toBe(true);
      expect(await other.page.locator('#username').inputValue()).toBe(server.user.username);

      const redirect = await submitToClient(server, other, '#deny-btn');
      expect(redirect.searchParams.get('error')).toBe('access_denied');
      expect(redirect.searchParams.get('code')).toBeNull();
      expect(redirect.searchParams.get('state')).toBe(state);
      expect(redirect.searchParams.get('iss')).toBe(server.url);
      expect(other.cspViolations).toEqual([]);
    } finally {
      await fresh.close();
    }
  });
});
