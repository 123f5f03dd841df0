import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestBackend, type TestServer } from '../helpers/app.js';
import { hasPostgres } from '../helpers/services.js';
import { startAdminServer } from '../protection/api-client.js';

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

async function call(url: string, init: { method?: string; token?: string; body?: unknown } = {}): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(url, { method: init.method ?? 'GET', headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

const METADATA = {
  client_name: 'Self-registered app',
  redirect_uris: ['https://app.example.com/callback'],
  grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
  scope: 'read',
  contacts: ['ops@example.com'],
  unknown_member: 'ignored',
};

async function clientCredentials(server: TestServer, clientId: string, secret: string): Promise<number> {
  const response = await fetch(`${server.url}/api/v1/oauth/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'read' }),
  });
  await response.text();
  return response.status;
}

for (const backend of ['sqlite', 'postgresql'] as TestBackend[]) {
  describe.skipIf(backend === 'postgresql' && !hasPostgres)(`dynamic client registration under the token policy (${backend})`, () => {
    let server: TestServer;
    let adminToken: string;
    let register: string;

    beforeAll(async () => {
      ({ server, adminToken } = await startAdminServer(backend, { AUTHLY_REGISTRATION__POLICY: 'token' }));
      register = `${server.url}/api/v1/oauth/register`;
    });
    afterAll(async () => server?.close());

    const mint = (body?: unknown) => call(`${server.url}/admin/registration-tokens`, { method: 'POST', token: adminToken, body });

    it('advertises the registration endpoint', async () => {
      const discovery = await call(`${server.url}/.well-known/openid-configuration`);
      expect(discovery.body.registration_endpoint).toBe(register);
      const oauth = await call(`${server.url}/.well-known/oauth-authorization-server`);
      expect(oauth.body.registration_endpoint).toBe(register);
    });

    it('registers, reads, updates and deletes a client with its registration access token', async () => {
      expect((await call(register, { method: 'POST', body: METADATA })).status).toBe(401);
      expect((await call(register, { method: 'POST', token: 'made-up', body: METADATA })).body.error).toBe('invalid_token');
      expect((await call(`${server.url}/admin/registration-tokens`, { method: 'POST' })).status).toBe(401);

      const minted = await mint();
      expect(minted.status).toBe(201);
      expect(Object.keys(minted.body).sort()).toEqual(['expires_at', 'token']);
      const initial = minted.body.token as string;

      const created = await call(register, { method: 'POST', token: initial, body: METADATA });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const doc = created.body;
      expect(doc).toMatchObject({
        client_name: 'Self-registered app',
        redirect_uris: METADATA.redirect_uris,
        grant_types: METADATA.grant_types,
        token_endpoint_auth_method: 'client_secret_basic',
        client_secret_expires_at: 0,
        contacts: ['ops@example.com'],
      });
      expect(doc).not.toHaveProperty('unknown_member');
      const clientId = doc.client_id as string;
      const rat = doc.registration_access_token as string;
      expect(doc.registration_client_uri).toBe(`${register}/${clientId}`);
      expect(await clientCredentials(server, clientId, doc.client_secret as string)).toBe(200);

      // Single use: the initial access token is spent.
      expect((await call(register, { method: 'POST', token: initial, body: METADATA })).status).toBe(401);

      const uri = doc.registration_client_uri as string;
      expect((await call(uri)).status).toBe(401);
      expect((await call(uri, { token: 'wrong' })).status).toBe(401);
      expect((await call(uri, { token: initial })).status).toBe(401);
      const read = await call(uri, { token: rat });
      expect(read.status).toBe(200);
      expect(read.body).toMatchObject({ client_id: clientId, client_name: 'Self-registered app', registration_access_token: rat });
      expect(read.body).not.toHaveProperty('client_secret');

      const update = { ...METADATA, client_id: clientId, client_name: 'Renamed', redirect_uris: ['https://app.example.com/v2'], contacts: undefined };
      const updated = await call(uri, { method: 'PUT', token: rat, body: update });
      expect(updated.status, JSON.stringify(updated.body)).toBe(200);
      expect(updated.body).toMatchObject({ client_name: 'Renamed', redirect_uris: ['https://app.example.com/v2'] });
      expect(updated.body).not.toHaveProperty('contacts');
      const badRedirect = await call(uri, { method: 'PUT', token: rat, body: { ...update, redirect_uris: ['javascript:alert(1)//'] } });
      expect(badRedirect).toMatchObject({ status: 400, body: { error: 'invalid_redirect_uri' } });
      const otherId = await call(uri, { method: 'PUT', token: rat, body: { ...update, client_id: 'client_other' } });
      expect(otherId).toMatchObject({ status: 400, body: { error: 'invalid_client_metadata' } });
      const typeChange = await call(uri, { method: 'PUT', token: rat, body: { ...update, token_endpoint_auth_method: 'none' } });
      expect(typeChange.body.error).toBe('invalid_client_metadata');
      expect((await call(uri, { method: 'PUT', token: 'wrong', body: update })).status).toBe(401);

      expect((await call(uri, { method: 'DELETE', token: 'wrong' })).status).toBe(401);
      const deleted = await fetch(uri, { method: 'DELETE', headers: { authorization: `Bearer ${rat}` } });
      expect(deleted.status).toBe(204);
      // RFC 7592 §2.1: a deleted client's URI answers 401; the client no longer authenticates.
      expect((await call(uri, { token: rat })).status).toBe(401);
      expect(await clientCredentials(server, clientId, doc.client_secret as string)).toBe(401);
    });

    it('an initial access token with uses: 2 registers two clients, then no more', async () => {
      const token = (await mint({ uses: 2 })).body.token as string;
      const body = { redirect_uris: ['http://127.0.0.1:8080/cb'], token_endpoint_auth_method: 'none' };
      const first = await call(register, { method: 'POST', token, body });
      expect(first.status).toBe(201);
      expect(first.body).not.toHaveProperty('client_secret');
      expect(first.body.client_name).toBe('Dynamically registered client');
      expect((await call(register, { method: 'POST', token, body })).status).toBe(201);
      expect((await call(register, { method: 'POST', token, body })).status).toBe(401);
    });

    it('applies the admin API rules: redirect URIs, admin scopes and malformed metadata are refused', async () => {
      const token = (await mint({ uses: 10 })).body.token as string;
      const refuse = (body: unknown) => call(register, { method: 'POST', token, body });
      expect((await refuse({ redirect_uris: ['javascript:alert(1)//'] })).body.error).toBe('invalid_redirect_uri');
      expect((await refuse({ redirect_uris: ['http://app.example.com/cb'], token_endpoint_auth_method: 'none' })).body.error).toBe('invalid_redirect_uri');
      expect((await refuse({ redirect_uris: ['https://a.example/cb'], scope: 'read admin:users:write' })).body.error).toBe('invalid_client_metadata');
      expect((await refuse({ redirect_uris: ['https://a.example/cb'], grant_types: ['password'] })).body.error).toBe('invalid_client_metadata');
      expect((await refuse({ redirect_uris: 'https://a.example/cb' })).body.error).toBe('invalid_client_metadata');
      expect((await refuse({ redirect_uris: ['https://a.example/cb'], backchannel_logout_uri: 'ftp://a.example/logout' })).body.error).toBe('invalid_client_metadata');
      expect((await refuse([1, 2])).status).toBe(400);
      const invalidMint = await mint({ uses: 0 });
      expect(invalidMint.status).toBe(422);
    });
  });
}

describe('dynamic client registration: closed and open policies', () => {
  let closed: TestServer;
  let open: TestServer;

  beforeAll(async () => {
    closed = await startTestServer('sqlite');
    open = await startTestServer('sqlite', { AUTHLY_REGISTRATION__POLICY: 'open', AUTHLY_RATE_LIMIT__CLIENT_REGISTRATION_PER_IP: '2' });
  });
  afterAll(async () => {
    await closed?.close();
    await open?.close();
  });

  it('closed (the default): 403 and not advertised', async () => {
    const answer = await call(`${closed.url}/api/v1/oauth/register`, { method: 'POST', body: METADATA });
    expect(answer).toMatchObject({ status: 403, body: { error: 'access_denied' } });
    const discovery = await call(`${closed.url}/.well-known/openid-configuration`);
    expect(discovery.body).not.toHaveProperty('registration_endpoint');
    expect((await call(`${closed.url}/.well-known/oauth-authorization-server`)).body).not.toHaveProperty('registration_endpoint');
  });

  it('open: anyone may register, limited per address', async () => {
    const url = `${open.url}/api/v1/oauth/register`;
    expect((await call(url, { method: 'POST', body: METADATA })).status).toBe(201);
    expect((await call(url, { method: 'POST', body: METADATA })).status).toBe(201);
    const limited = await call(url, { method: 'POST', body: METADATA });
    expect(limited.status).toBe(429);
  });
});
