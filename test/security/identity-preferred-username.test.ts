import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestBackend, type TestServer } from '../helpers/app.js';
import { hasPostgres } from '../helpers/services.js';
import { ApiClient } from '../protection/api-client.js';
import { uniqueName } from './identity-helpers.js';

/*
 * Rule: `PUT /oidc/userinfo` must not let a user show another account's name, or a reserved one,
 * as `preferred_username` (relying parties display it): compared ignoring case after NFKC,
 * against every other account's `username` and `preferred_username`, `admin`, `administrator`,
 * `root`, `system` and the configured admin name. Refused with 400 and the detail body.
 */
const backends: TestBackend[] = ['sqlite', ...(hasPostgres ? (['postgresql'] as const) : [])];

describe.each(backends)('preferred_username impersonation (%s)', (backend) => {
  let server: TestServer;
  let api: ApiClient;
  let token: string;
  let bob: { username: string };

  beforeAll(async () => {
    server = await startTestServer(backend, { AUTHLY_ADMIN_USERNAME: 'chief_operator', AUTHLY_ADMIN_PASSWORD: 'Chief-Passw0rd!' });
    api = new ApiClient(server);
    token = await api.token(server.user.username, server.password, 'openid profile');
    const name = uniqueName('bob');
    bob = await server.app.container.repositories.users.create({
      username: name,
      email: `${name}@example.com`,
      passwordHash: 'x',
      isVerified: true,
      preferredUsername: `Bobby_${name}`,
    });
  });
  afterAll(async () => server?.close());

  const put = (body: Record<string, unknown>) => api.call('PUT', '/oidc/userinfo', { token, body });

  it.each(['admin', 'Administrator', 'ROOT', 'system', 'ａｄｍｉｎ', 'Chief_Operator'])('refuses the reserved name %s', async (name) => {
    const res = await put({ preferred_username: name, given_name: 'Mallory' });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ detail: 'preferred_username is reserved' });
  });

  it("refuses another account's username and another account's preferred_username, in any case", async () => {
    for (const name of [bob.username.toUpperCase(), `bobby_${bob.username}`]) {
      const res = await put({ preferred_username: name });
      expect(res.status).toBe(400);
      expect(res.json).toEqual({ detail: 'preferred_username is already used by another account' });
    }
    // Nothing was written by the refused requests.
    const info = await api.call('GET', '/oidc/userinfo', { token });
    expect(info.json.preferred_username).toBe(server.user.username);
    expect(info.json.given_name).toBe('Alice');
  });

  it('accepts a free name, and the user\'s own username in another case', async () => {
    const free = uniqueName('Alice_Display');
    expect((await put({ preferred_username: free })).json.preferred_username).toBe(free);
    expect((await put({ preferred_username: server.user.username.toUpperCase() })).status).toBe(200);
    expect((await put({ given_name: 'Alicia' })).status).toBe(200);
  });
});
