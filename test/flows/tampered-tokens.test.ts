import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/app.js';
import { b64, parts } from '../helpers/jwt-parts.js';
import { introspect, tokenRequest } from '../helpers/oauth-flow.js';


describe('tampered tokens are rejected by UserInfo and introspection', () => {
  let server: TestServer;
  let good: string;

  beforeAll(async () => {
    server = await startTestServer('sqlite');
    const response = await tokenRequest(server, { grant_type: 'password', username: server.user.username, password: server.password, scope: 'openid profile' });
    good = response.body.access_token as string;
  });
  afterAll(async () => server?.close());

  async function userinfo(token: string): Promise<Response> {
    return fetch(`${server.url}/oidc/userinfo`, { headers: { authorization: `Bearer ${token}` } });
  }

  async function forgeries(): Promise<Record<string, string>> {
    const { header, payload, signature } = parts(good);
    const jwks = (await (await fetch(`${server.url}/.well-known/jwks.json`)).json()) as { keys: Record<string, unknown>[] };
    const publicJwk = JSON.stringify(jwks.keys.find((k) => k.kid === header.kid));
    const hsHeader = { ...header, alg: 'HS256' };
    const hsInput = `${b64(hsHeader)}.${b64(payload)}`;
    return {
      'a changed payload': `${b64(header)}.${b64({ ...payload, scope: 'openid profile admin' })}.${signature}`,
      'alg none': `${b64({ ...header, alg: 'none' })}.${b64(payload)}.`,
      'an unknown kid': `${b64({ ...header, kid: 'not-a-key' })}.${b64(payload)}.${signature}`,
      'HS256 signed with the public key': `${hsInput}.${createHmac('sha256', publicJwk).update(hsInput).digest('base64url')}`,
      'a truncated signature': `${b64(header)}.${b64(payload)}.${signature.slice(0, -4)}`,
    };
  }

  it('accepts the untouched token', async () => {
    expect((await userinfo(good)).status).toBe(200);
    expect(await introspect(server, good)).toMatchObject({ active: true });
  });

  it('rejects each forgery with 401 at UserInfo and active:false at introspection', async () => {
    for (const [name, forged] of Object.entries(await forgeries())) {
      const response = await userinfo(forged);
      expect(response.status, name).toBe(401);
      expect(response.headers.get('www-authenticate'), name).toMatch(/^Bearer/);
      expect(await introspect(server, forged), name).toEqual({ active: false });
    }
  });

  /*
   * Introspection and bearer checks trust a token whose SHA-256 digest matches its recorded row
   * without checking the signature again. A signature by our own key is therefore not enough:
   * the string itself must be the one recorded.
   */
  it('refuses a token signed with our own key but never recorded, or recorded under its jti with other claims', async () => {
    const { header, payload } = parts(good);
    const sign = (claims: Record<string, unknown>) => server.app.keystore.sign(claims, { typ: String(header.typ), algorithm: header.alg as 'ES256' });
    const notRecorded = await sign({ ...payload, jti: 'a'.repeat(64) });
    const sameJtiMoreScope = await sign({ ...payload, scope: 'openid profile admin:clients:write' });
    const sameJtiLater = await sign({ ...payload, exp: Number(payload.exp) + 3600 });
    for (const [name, forged] of Object.entries({ notRecorded, sameJtiMoreScope, sameJtiLater })) {
      expect(forged, name).not.toBe(good);
      expect(await introspect(server, forged), name).toEqual({ active: false });
      expect((await userinfo(forged)).status, name).toBe(401);
    }
    expect(await introspect(server, good)).toMatchObject({ active: true });
  });

  it('refuses UserInfo for a token without the openid scope', async () => {
    const response = await tokenRequest(server, { grant_type: 'password', username: server.user.username, password: server.password, scope: 'profile' });
    const info = await userinfo(response.body.access_token as string);
    expect(info.status).toBe(403);
    expect(info.headers.get('www-authenticate')).toContain('insufficient_scope');
    expect(await info.json()).toEqual({ detail: "UserInfo endpoint requires 'openid' scope" });
  });

  it('updates profile claims with PUT /oidc/userinfo, within the granted scopes', async () => {
    const put = (body: unknown) =>
      fetch(`${server.url}/oidc/userinfo`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${good}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const ok = await put({ given_name: 'Alicia', name: 'ignored', phone_number: '+1 555' });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ given_name: 'Alicia', name: 'Alicia', phone_number: null });
    const none = await put({ phone_number: '+1 555' });
    expect(none.status).toBe(400);
    const badType = await put({ birthdate: 'yesterday' });
    expect(badType.status).toBe(422);
  });

  it('ends a recorded token once its signing key is no longer stored', async () => {
    const response = await tokenRequest(server, { grant_type: 'password', username: server.user.username, password: server.password, scope: 'openid' });
    const token = response.body.access_token as string;
    expect(await introspect(server, token)).toMatchObject({ active: true });
    const { kid } = parts(token).header;
    // Last in this file: it takes the key the other tests' tokens are signed with.
    // As if an operator removed a compromised key from the database; the new key signs from now on.
    const keys = server.app.container.repositories.signingKeys;
    await server.app.keystore.createKey('ES256');
    await keys.retire(String(kid), new Date(0));
    await server.app.keystore.refresh();
    expect(await introspect(server, token)).toEqual({ active: false });
    expect((await userinfo(token)).status).toBe(401);
  });
});
