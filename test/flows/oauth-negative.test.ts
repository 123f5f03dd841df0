import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/app.js';
import { authorizationUrl, introspect, obtainCode, pkcePair, tokenRequest } from '../helpers/oauth-flow.js';

describe('OAuth 2.1 rules, each with its status and error code', () => {
  let server: TestServer;
  let basic: { id: string; secret: string };

  beforeAll(async () => {
    server = await startTestServer('sqlite');
    basic = { id: server.confidential.client.clientId, secret: server.confidential.secret };
  });
  afterAll(async () => server?.close());

  function exchange(code: string, verifier: string, overrides: Record<string, string> = {}) {
    return tokenRequest(server, { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: server.redirectUri, ...overrides }, basic);
  }

  describe('authorization endpoint', () => {
    it('shows an error page, without redirecting, for an unregistered redirect URI', async () => {
      const { challenge } = pkcePair();
      const response = await fetch(
        authorizationUrl(server, { client_id: basic.id, redirect_uri: 'https://evil.example/cb', response_type: 'code', code_challenge: challenge }),
        { redirect: 'manual' },
      );
      expect(response.status).toBe(400);
      expect(response.headers.get('location')).toBeNull();
      expect(response.headers.get('content-type')).toMatch(/text\/html/);
      expect(await response.text()).toContain('invalid_request');
    });

    it('shows an error page for an unknown client, and answers JSON to API clients', async () => {
      const url = authorizationUrl(server, { client_id: 'nope', redirect_uri: server.redirectUri, response_type: 'code' });
      const page = await fetch(url, { redirect: 'manual' });
      expect(page.status).toBe(400);
      expect(await page.text()).toContain('invalid_client');
      const api = await fetch(url, { redirect: 'manual', headers: { accept: 'application/json' } });
      expect(api.status).toBe(400);
      expect(await api.json()).toMatchObject({ error: 'invalid_client' });
    });

    async function redirectError(params: Record<string, string | undefined>) {
      const response = await fetch(
        authorizationUrl(server, { client_id: basic.id, redirect_uri: server.redirectUri, response_type: 'code', state: 's1', ...params }),
        { redirect: 'manual' },
      );
      expect(response.status).toBe(302);
      return new URL(response.headers.get('location')!);
    }

    it('redirects invalid_request when PKCE is missing, with state and iss (RFC 9207)', async () => {
      const location = await redirectError({});
      expect(location.origin + location.pathname).toBe(server.redirectUri);
      expect(location.searchParams.get('error')).toBe('invalid_request');
      expect(location.searchParams.get('state')).toBe('s1');
      expect(location.searchParams.get('iss')).toBe(server.url);
    });

    it('redirects invalid_request for the plain PKCE method', async () => {
      const { challenge } = pkcePair();
      const location = await redirectError({ code_challenge: challenge, code_challenge_method: 'plain' });
      expect(location.searchParams.get('error')).toBe('invalid_request');
    });

    it('redirects unsupported_response_type for response_type=token', async () => {
      const { challenge } = pkcePair();
      const location = await redirectError({ code_challenge: challenge, response_type: 'token' });
      expect(location.searchParams.get('error')).toBe('unsupported_response_type');
    });

    it('redirects invalid_scope when no requested scope exists', async () => {
      const { challenge } = pkcePair();
      const location = await redirectError({ code_challenge: challenge, scope: 'no-such-scope' });
      expect(location.searchParams.get('error')).toBe('invalid_scope');
    });

    it('refuses a form post without the CSRF cookie', async () => {
      const { challenge } = pkcePair();
      const response = await fetch(`${server.url}/api/v1/oauth/authorize`, {
        method: 'POST',
        redirect: 'manual',
        body: new URLSearchParams({
          client_id: basic.id, redirect_uri: server.redirectUri, response_type: 'code', code_challenge: challenge,
          username: server.user.username, password: server.password, approved: 'true', csrf_token: 'forged',
        }),
      });
      expect(response.status).toBe(403);
      expect(response.headers.get('location')).toBeNull();
    });
  });

  describe('token endpoint', () => {
    it('rejects a wrong PKCE verifier with invalid_grant and leaves the code usable', async () => {
      const { code, verifier } = await obtainCode(server, basic.id);
      const wrong = await exchange(code, pkcePair().verifier);
      expect(wrong.status).toBe(400);
      expect(wrong.body.error).toBe('invalid_grant');
      expect((await exchange(code, verifier)).status).toBe(200);
    });

    it('rejects a reused code and revokes the tokens issued from it', async () => {
      const { code, verifier } = await obtainCode(server, basic.id);
      const first = await exchange(code, verifier);
      expect(first.status).toBe(200);
      expect(await introspect(server, first.body.access_token as string)).toMatchObject({ active: true });
      const second = await exchange(code, verifier);
      expect(second.status).toBe(400);
      expect(second.body.error).toBe('invalid_grant');
      expect(await introspect(server, first.body.access_token as string)).toEqual({ active: false });
      expect(await introspect(server, first.body.refresh_token as string)).toEqual({ active: false });
    });

    it('rejects a redirect_uri that differs from the authorization request', async () => {
      const { code, verifier } = await obtainCode(server, basic.id);
      const response = await exchange(code, verifier, { redirect_uri: `${server.redirectUri}/other` });
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ error: 'invalid_grant', error_description: 'Redirect URI mismatch' });
    });

    it('rejects a wrong client secret with 401 invalid_client and a Basic challenge', async () => {
      const { code, verifier } = await obtainCode(server, basic.id);
      const response = await tokenRequest(
        server,
        { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: server.redirectUri },
        { id: basic.id, secret: 'wrong' },
      );
      expect(response.status).toBe(401);
      expect(response.body.error).toBe('invalid_client');
      expect(response.headers.get('www-authenticate')).toMatch(/^Basic/);
    });

    it('rejects a public client that sends a secret', async () => {
      const { code, verifier } = await obtainCode(server, server.publicClient.clientId);
      const response = await tokenRequest(server, {
        grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: server.redirectUri,
        client_id: server.publicClient.clientId, client_secret: 'anything',
      });
      expect(response.status).toBe(401);
      expect(response.body.error).toBe('invalid_client');
    });

    it('rejects a confidential client that does not authenticate', async () => {
      const { code, verifier } = await obtainCode(server, basic.id);
      const response = await tokenRequest(server, {
        grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: server.redirectUri, client_id: basic.id,
      });
      expect(response.status).toBe(401);
      expect(response.body.error).toBe('invalid_client');
    });

    it('rejects a replayed refresh token and revokes its whole family', async () => {
      const { code, verifier } = await obtainCode(server, basic.id);
      const issued = (await exchange(code, verifier)).body;
      const rotated = await tokenRequest(server, { grant_type: 'refresh_token', refresh_token: issued.refresh_token as string }, basic);
      expect(rotated.status).toBe(200);
      const replay = await tokenRequest(server, { grant_type: 'refresh_token', refresh_token: issued.refresh_token as string }, basic);
      expect(replay.status).toBe(400);
      expect(replay.body.error).toBe('invalid_grant');
      for (const token of [rotated.body.access_token, rotated.body.refresh_token, issued.access_token]) {
        expect(await introspect(server, token as string)).toEqual({ active: false });
      }
    });

    it('rejects scope escalation on refresh and allows narrowing', async () => {
      const { code, verifier } = await obtainCode(server, basic.id, { scope: 'read' });
      const issued = (await exchange(code, verifier)).body;
      const wider = await tokenRequest(server, { grant_type: 'refresh_token', refresh_token: issued.refresh_token as string, scope: 'read write' }, basic);
      expect(wider.status).toBe(400);
      expect(wider.body.error).toBe('invalid_scope');
      const same = await tokenRequest(server, { grant_type: 'refresh_token', refresh_token: issued.refresh_token as string, scope: 'read' }, basic);
      expect(same.status).toBe(200);
      expect(same.body.scope).toBe('read');
    });

    it('rejects an unknown grant type', async () => {
      const response = await tokenRequest(server, { grant_type: 'urn:example:magic' }, basic);
      expect(response.status).toBe(400);
      expect(response.body.error).toBe('unsupported_grant_type');
    });

    it('answers a JSON body with 422 and the validation body', async () => {
      const response = await fetch(`${server.url}/api/v1/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ grant_type: 'client_credentials' }),
      });
      expect(response.status).toBe(422);
      expect(await response.json()).toEqual({ detail: [{ type: 'missing', loc: ['body', 'grant_type'], msg: 'Field required', input: null }] });
    });

    it('refuses client_credentials to a public client', async () => {
      const response = await tokenRequest(server, { grant_type: 'client_credentials', client_id: server.publicClient.clientId });
      expect(response.status).toBe(400);
      expect(response.body.error).toBe('unauthorized_client');
    });

    it('lets at most one of 100 concurrent exchanges of one code succeed, and revokes what it issued', async () => {
      const { code, verifier } = await obtainCode(server, basic.id);
      const results = await Promise.all(Array.from({ length: 100 }, () => exchange(code, verifier)));
      const winners = results.filter((r) => r.status === 200);
      expect(winners.length).toBeLessThanOrEqual(1);
      expect(results.filter((r) => r.status === 400 && r.body.error === 'invalid_grant')).toHaveLength(100 - winners.length);
      // The other 99 are reuses of the code (RFC 6749 §4.1.2): whatever it issued is revoked.
      for (const w of winners) expect(await introspect(server, w.body.access_token as string)).toEqual({ active: false });
    });
  });

  describe('password grant (Authly compatibility)', () => {
    it('issues tokens for a correct password without any client, and rejects a wrong one', async () => {
      const ok = await tokenRequest(server, { grant_type: 'password', username: server.user.username, password: server.password });
      expect(ok.status).toBe(200);
      expect(ok.body.token_type).toBe('Bearer');
      const bad = await tokenRequest(server, { grant_type: 'password', username: server.user.username, password: 'nope' });
      expect(bad.status).toBe(400);
      expect(bad.body).toEqual({ error: 'invalid_grant', error_description: 'Incorrect username or password' });
    });
  });

  describe('revocation', () => {
    it('answers 200 for an unknown token (RFC 7009 §2.2), as JSON and as a form', async () => {
      const json = await fetch(`${server.url}/api/v1/oauth/revoke`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: 'not-a-token' }),
      });
      expect(json.status).toBe(200);
      expect(await json.json()).toEqual({ message: 'Token revocation processed successfully' });
      const form = await fetch(`${server.url}/api/v1/oauth/revoke`, { method: 'POST', body: new URLSearchParams({ token: 'x' }) });
      expect(form.status).toBe(200);
    });
  });
});

describe('methods on the OAuth paths', () => {
  it('answers 405 with Allow for a wrong method on a prefixed route', async () => {
    const server = await startTestServer('sqlite');
    try {
      const response = await fetch(`${server.url}/api/v1/oauth/token`, { method: 'PUT' });
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('POST');
      const authorize = await fetch(`${server.url}/api/v1/oauth/authorize`, { method: 'DELETE' });
      expect(authorize.headers.get('allow')).toBe('GET, POST');
    } finally {
      await server.close();
    }
  });
});
