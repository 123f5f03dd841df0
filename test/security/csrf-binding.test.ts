import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/app.js';
import { loginThroughForm, parseLoginForm, type LoginForm } from '../helpers/login-form.js';
import { authorizationUrl, pkcePair } from '../helpers/oauth-flow.js';

describe('the login form CSRF token is an HMAC bound to the browser and the request', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer('sqlite');
  });
  afterAll(async () => server?.close());

  function url(challenge = pkcePair().challenge): string {
    return authorizationUrl(server, {
      client_id: server.confidential.client.clientId,
      redirect_uri: server.redirectUri,
      response_type: 'code',
      scope: 'openid',
      state: 'st',
      code_challenge: challenge,
    });
  }

  /** A browser opening the page: its cookies and the form, as the page rendered them. */
  async function openPage(pageUrl = url(), cookie?: string): Promise<LoginForm> {
    const response = await fetch(pageUrl, { headers: cookie ? { cookie } : {} });
    expect(response.status).toBe(200);
    return parseLoginForm(await response.text(), response, pageUrl);
  }

  function csrfCookie(form: LoginForm): string {
    const cookie = form.cookie.split('; ').find((c) => c.startsWith('authly_csrf='));
    expect(cookie).toBeDefined();
    return cookie!;
  }

  /** Submits `form`'s fields with a chosen cookie header and CSRF token (and the right password unless told). */
  function submit(form: LoginForm, cookie: string, csrfToken: string, login = true): Promise<Response> {
    const body = new URLSearchParams({ ...form.fields, csrf_token: csrfToken, approved: 'true' });
    if (login) {
      body.set('username', server.user.username);
      body.set('password', server.password);
    }
    return fetch(form.action, { method: 'POST', redirect: 'manual', headers: { cookie }, body });
  }

  function expectRefused(response: Response): void {
    expect(response.status).toBe(403);
    expect(response.headers.get('location')).toBeNull();
  }

  it("accepts the page's own cookie and token, and the cookie holds a nonce, not the token", async () => {
    const form = await openPage();
    expect(csrfCookie(form).slice('authly_csrf='.length)).not.toBe(form.fields.csrf_token);
    const response = await submit(form, form.cookie, form.fields.csrf_token!);
    expect(response.status).toBe(302);
    expect(new URL(response.headers.get('location')!).searchParams.get('code')).toBeTruthy();
  });

  it('refuses a cookie and field set to the same attacker-chosen value (cookie tossing)', async () => {
    const form = await openPage();
    const forged = 'A'.repeat(43);
    expectRefused(await submit(form, `authly_csrf=${forged}`, forged));
    expectRefused(await submit(form, 'authly_csrf=x', 'x'));
  });

  it("refuses a token taken from another browser's page", async () => {
    const mine = await openPage();
    const theirs = await openPage();
    expectRefused(await submit(mine, mine.cookie, theirs.fields.csrf_token!));
    expectRefused(await submit(mine, theirs.cookie, mine.fields.csrf_token!));
  });

  it("refuses a valid pair from the attacker's own page for another request", async () => {
    const attackers = await openPage();
    const victims = await openPage();
    // The attacker's cookie and token, submitted with the victim's request parameters.
    expectRefused(await submit(victims, csrfCookie(attackers), attackers.fields.csrf_token!));
  });

  it("refuses an attacker's pair in a signed-in victim's browser, where no password is asked", async () => {
    const login = await loginThroughForm(url(), { username: server.user.username, password: server.password });
    const session = login.headers.getSetCookie().find((c) => c.startsWith('authly_session='))!.split(';')[0]!;
    // prompt=consent: the consent remembered by the login above would otherwise skip the page.
    const pageUrl = `${url()}&prompt=consent`;
    const attackers = await openPage(pageUrl);
    const victims = await openPage(pageUrl, session);
    expect(victims.fields.csrf_token).not.toBe(attackers.fields.csrf_token);
    // Consent only (the session suffices): the attacker's pair does not pass for the victim's session.
    expectRefused(await submit(victims, `${csrfCookie(attackers)}; ${session}`, attackers.fields.csrf_token!, false));
    const own = await submit(victims, `${csrfCookie(victims)}; ${session}`, victims.fields.csrf_token!, false);
    expect(own.status).toBe(302);
    expect(new URL(own.headers.get('location')!).searchParams.get('code')).toBeTruthy();
  });

  it('keeps a well-formed nonce across pages, so two open forms of one browser both work', async () => {
    const first = await openPage();
    const second = await openPage(url(), csrfCookie(first));
    expect(csrfCookie(second)).toBe(csrfCookie(first));
    expect((await submit(first, csrfCookie(first), first.fields.csrf_token!)).status).toBe(302);
    expect((await submit(second, csrfCookie(first), second.fields.csrf_token!)).status).toBe(302);
  });
});
