import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/app.js';
import { b64, parts } from '../helpers/jwt-parts.js';
import { introspect, obtainCode, tokenRequest } from '../helpers/oauth-flow.js';


/*
 * The refresh grant trusts a refresh token whose SHA-256 digest matches the row of its `jti`
 * without checking the signature again (as introspection does). So a signature by our own key
 * is not enough: the string itself must be the one recorded, and only that exact string counts
 * as a replay (RFC 9700 §4.14.2).
 */
describe('tampered refresh tokens are refused by the refresh grant (RFC 6749 §6)', () => {
  let server: TestServer;
  let basic: { id: string; secret: string };

  beforeAll(async () => {
    server = await startTestServer('sqlite');
    basic = { id: server.confidential.client.clientId, secret: server.confidential.secret };
  });
  afterAll(async () => server?.close());

  async function issue(scope = 'read'): Promise<{ access: string; refresh: string }> {
    const { code, verifier } = await obtainCode(server, basic.id, { scope });
    const issued = await tokenRequest(server, { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: server.redirectUri }, basic);
    expect(issued.status).toBe(200);
    return { access: issued.body.access_token as string, refresh: issued.body.refresh_token as string };
  }

  function refresh(token: string, extra: Record<string, string> = {}, as = basic) {
    return tokenRequest(server, { grant_type: 'refresh_token', refresh_token: token, ...extra }, as);
  }

  /** Strings that differ from `good` but carry its `jti`: re-signed by our key, or changed after signing. */
  async function sameJtiForgeries(good: string): Promise<Record<string, string>> {
    const { header, payload, signature } = parts(good);
    const sign = (claims: Record<string, unknown>) => server.app.keystore.sign(claims, { typ: String(header.typ), algorithm: header.alg as 'ES256' });
    return {
      'signed by our key with more scope': await sign({ ...payload, scope: 'read write' }),
      'signed by our key with a later exp': await sign({ ...payload, exp: Number(payload.exp) + 3600 }),
      're-signed by our key unchanged': await sign(payload),
      'a changed payload': `${b64(header)}.${b64({ ...payload, scope: 'read write' })}.${signature}`,
      'alg none': `${b64({ ...header, alg: 'none' })}.${b64(payload)}.`,
    };
  }

  it('refuses every string with the jti of a live refresh token but another digest, and leaves the family intact', async () => {
    const { refresh: good } = await issue();
    for (const [name, forged] of Object.entries(await sameJtiForgeries(good))) {
      expect(forged, name).not.toBe(good);
      expect(await refresh(forged), name).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    }
    // None of them was the recorded string, so none was taken for a replay of it.
    const rotated = await refresh(good);
    expect(rotated.status).toBe(200);
    expect(await introspect(server, rotated.body.refresh_token as string)).toMatchObject({ active: true });
  });

  it('does not take a forgery of a rotated token for its replay; the recorded string itself revokes the family', async () => {
    const { refresh: first } = await issue();
    const rotated = await refresh(first);
    expect(rotated.status).toBe(200);
    const next = rotated.body.refresh_token as string;
    for (const [name, forged] of Object.entries(await sameJtiForgeries(first))) {
      expect(await refresh(forged), name).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    }
    expect(await introspect(server, next)).toMatchObject({ active: true });
    expect(await refresh(first)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect(await introspect(server, next)).toEqual({ active: false });
    expect(await refresh(next)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  });

  it('refuses an access token presented as a refresh token, and a refresh token never recorded', async () => {
    const { access, refresh: good } = await issue();
    expect(await refresh(access)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    const { header, payload } = parts(good);
    const unknown = await server.app.keystore.sign({ ...payload, jti: 'a'.repeat(64) }, { typ: String(header.typ), algorithm: header.alg as 'ES256' });
    expect(await refresh(unknown)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect(await refresh('not.a.jwt')).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect((await refresh(good)).status).toBe(200);
  });

  it("refuses another client's refresh token without spending it, and only narrows the scope", async () => {
    const { refresh: good } = await issue('read write');
    const other = await server.addClient({ grantTypes: ['authorization_code', 'refresh_token'], scope: 'read write' });
    const foreign = await refresh(good, {}, { id: other.client.clientId, secret: other.secret! });
    expect(foreign).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect(await refresh(good, { scope: 'read write openid' })).toMatchObject({ status: 400, body: { error: 'invalid_scope' } });
    const narrowed = await refresh(good, { scope: 'read' });
    expect(narrowed).toMatchObject({ status: 200, body: { scope: 'read' } });
    expect(await refresh(narrowed.body.refresh_token as string, { scope: 'read write' })).toMatchObject({ status: 400, body: { error: 'invalid_scope' } });
  });
});
