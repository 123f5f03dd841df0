import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/app.js';
import { hasChromium, launchBrowser } from '../helpers/browser.js';
import { authorizationUrl, pkcePair } from '../helpers/oauth-flow.js';

/** A name that is not localhost, resolved by Chromium itself to the test server's address. */
const HOST_NAME = 'authly.test';

/**
 * Over plain HTTP from a host other than localhost (a LAN address, a name in /etc/hosts), a CSP
 * `upgrade-insecure-requests` would make the browser post the login form to `https://`, where
 * nothing answers or `form-action` refuses it: the button would do nothing. The directive is sent
 * only over HTTPS; this drives the real page under such a name.
 */
describe.skipIf(!hasChromium)('login page over plain HTTP under a non-localhost name', () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startTestServer('sqlite', { AUTHLY_SERVER__ALLOWED_HOSTS: HOST_NAME });
    browser = await launchBrowser([`--host-resolver-rules=MAP ${HOST_NAME} 127.0.0.1`]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('submits the form to the same http:// origin and redirects to the client with a code', async () => {
    const origin = server.url.replace('127.0.0.1', HOST_NAME);
    const { challenge } = pkcePair();
    const url = authorizationUrl({ ...server, url: origin }, {
      client_id: server.confidential.client.clientId,
      redirect_uri: server.redirectUri,
      response_type: 'code',
      scope: 'openid',
      state: 'plain-http',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const cspViolations: string[] = [];
      page.on('console', (message) => {
        if (/Content.Security.Policy/i.test(message.text())) cspViolations.push(message.text());
      });
      const response = await page.goto(url);
      expect(response?.status()).toBe(200);
      expect(response?.headers()['content-security-policy']).not.toContain('upgrade-insecure-requests');

      await page.fill('#username', server.user.username);
      await page.fill('#password', server.password);
      const redirected = page.waitForEvent('requestfailed', { predicate: (r) => r.url().startsWith(server.redirectUri), timeout: 15_000 });
      await page.click('#authorize-btn');
      const request = await redirected;

      // The form went to http://authly.test:<port>, not https://, and the server's 302 was followed.
      expect(request.redirectedFrom()?.method()).toBe('POST');
      expect(request.redirectedFrom()?.url()).toBe(`${origin}/api/v1/oauth/authorize`);
      const redirect = new URL(request.url());
      expect(redirect.searchParams.get('code')).toBeTruthy();
      expect(redirect.searchParams.get('state')).toBe('plain-http');
      expect(cspViolations).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
