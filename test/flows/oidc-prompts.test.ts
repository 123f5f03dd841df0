import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/app.js';
import { loginThroughForm, parseLoginForm } from '../helpers/login-form.js';
import { authorizationUrl, pkcePair } from '../helpers/oauth-flow.js';

describe('prompt, max_age, login_hint and the browser session', () => {
  let server: TestServer;
  let sessionCookie: string;

  beforeAll(async () => {
    server = await startTestServer('sqlite');
    const response = await loginThroughForm(url({}), { username: server.user.username, password: server.password });
    expect(response.status).toBe(302);
    const setCookie = response.headers.getSetCookie().find((c) => c.startsWith('authly_session='));
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    sessionCookie = setCookie!.split(';')[0]!;
  });
  afterAll(async () => server?.close());

  function url(extra: Record<string, string | undefined>): string {
    return authorizationUrl(server, {
      client_id: server.confidential.client.clientId,
      redirect_uri: server.redirectUri,
      response_type: 'code',
      scope: 'openid',
      state: 'st',
      code_challenge: pkcePair().challenge,
      ...extra,
    });
  }

  async function page(extra: Record<string, string | undefined>, cookie?: string): Promise<{ response: Response; html: string }> {
    const response = await fetch(url(extra), { redirect: 'manual', headers: cookie ? { cookie } : {} });
    return { response, html: await response.text() };
  }

  it('answers prompt=none without a session with login_required', async () => {
    const { response } = await page({ prompt: 'none' });
    expect(response.status).toBe(302);
    expect(new URL(response.headers.get('location')!).searchParams.get('error')).toBe('login_required');
  });

  it('answers prompt=none with a session with consent_required when no consent covers the scopes', async () => {
    // The sign-in above consented to `openid` only.
    const { response } = await page({ prompt: 'none', scope: 'openid email' }, sessionCookie);
    expect(new URL(response.headers.get('location')!).searchParams.get('error')).toBe('consent_required');
  });

  it('asks only for consent while the session lives, and a consent-only submit yields a code', async () => {
    // prompt=consent asks again although `openid` was consented to.
    const { response, html } = await page({ prompt: 'consent' }, sessionCookie);
    expect(html).toContain('id="signed-in-as"');
    expect(html).not.toContain('type="password"');
    const form = parseLoginForm(html, response, server.url);
    const submit = await fetch(form.action, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: `${form.cookie}; ${sessionCookie}` },
      body: new URLSearchParams({ ...form.fields, approved: 'true' }),
    });
    expect(submit.status).toBe(302);
    expect(new URL(submit.headers.get('location')!).searchParams.get('code')).toBeTruthy();
  });

  it('asks for the password again with prompt=login or when max_age has passed', async () => {
    expect((await page({ prompt: 'login' }, sessionCookie)).html).toContain('type="password"');
    // The login happened requests ago, so it is older than max_age=0 seconds.
    expect((await page({ max_age: '0' }, sessionCookie)).html).toContain('type="password"');
    expect((await page({ max_age: '3600' }, sessionCookie)).html).not.toContain('type="password"');
  });

  it('fills the username from login_hint, escaped', async () => {
    const { html } = await page({ login_hint: 'bob"><script>' });
    expect(html).toContain('value="bob&quot;&gt;&lt;script&gt;"');
  });

  it('ignores a forged session cookie', async () => {
    const { html } = await page({}, 'authly_session=eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.');
    expect(html).toContain('type="password"');
  });
});
