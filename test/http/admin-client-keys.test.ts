import { exportJWK, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestBackend, TestServer } from '../helpers/app.js';
import { hasPostgres } from '../helpers/services.js';
import type { ApiClient } from '../protection/api-client.js';
import { startAdminServer } from '../protection/api-client.js';

const BASE = { client_name: 'Key-holding app', client_type: 'confidential', redirect_uris: ['https://app.example.com/cb'] };

for (const backend of ['sqlite', 'postgresql'] as TestBackend[]) {
  describe.skipIf(backend === 'postgresql' && !hasPostgres)(`admin clients: private_key_jwt, PAR and DPoP fields (${backend})`, () => {
    let server: TestServer;
    let api: ApiClient;
    let token: string;
    let publicJwk: Record<string, unknown>;
    let privateJwk: Record<string, unknown>;

    beforeAll(async () => {
      ({ server, api, adminToken: token } = await startAdminServer(backend));
      const pair = await generateKeyPair('ES256', { extractable: true });
      publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1' };
      privateJwk = { ...(await exportJWK(pair.privateKey)), kid: 'k1' };
    });
    afterAll(async () => server?.close());

    const create = (body: Record<string, unknown>) => api.call('POST', '/admin/clients', { token, body: { ...BASE, ...body } });

    it('registers a private_key_jwt client with jwks and the PAR and DPoP flags; no secret is issued; the fields read back', async () => {
      const res = await create({ token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [publicJwk] }, require_pushed_authorization_requests: true, dpop_bound_access_tokens: true });
      expect(res.status, res.body).toBe(200);
      expect(res.json.client_secret).toBeNull();
      const got = await api.call('GET', `/admin/clients/${res.json.client_id}`, { token });
      expect(got.json).toMatchObject({
        token_endpoint_auth_method: 'private_key_jwt',
        jwks: { keys: [publicJwk] },
        jwks_uri: null,
        require_pushed_authorization_requests: true,
        dpop_bound_access_tokens: true,
      });
      const updated = await api.call('PUT', `/admin/clients/${res.json.client_id}`, { token, body: { jwks: null, jwks_uri: 'https://app.example.com/jwks.json', dpop_bound_access_tokens: false } });
      expect(updated.status, updated.body).toBe(200);
      expect(updated.json).toMatchObject({ jwks: null, jwks_uri: 'https://app.example.com/jwks.json', dpop_bound_access_tokens: false, require_pushed_authorization_requests: true });
    });

    it.each([
      ['private_key_jwt without keys', { token_endpoint_auth_method: 'private_key_jwt' }, 'private_key_jwt needs jwks or jwks_uri'],
      ['both jwks and jwks_uri', { token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [{ kty: 'EC', crv: 'P-256', x: 'a', y: 'b' }] }, jwks_uri: 'https://a.example/j' }, 'jwks and jwks_uri cannot both be set'],
      ['a public client with private_key_jwt', { client_type: 'public', redirect_uris: ['http://localhost:3000/cb'], token_endpoint_auth_method: 'private_key_jwt', jwks_uri: 'https://a.example/j' }, "Public clients must use 'none' token endpoint auth method"],
      ['a symmetric key', { token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [{ kty: 'oct', k: 'c2VjcmV0' }] } }, 'jwks keys must have kty RSA, EC or OKP'],
      ['a jwks_uri that is not http(s)', { token_endpoint_auth_method: 'private_key_jwt', jwks_uri: 'file:///etc/passwd' }, 'jwks_uri must be an http(s) URL: file:///etc/passwd'],
    ])('refuses %s with 400', async (_name, body, detail) => {
      const res = await create(body);
      expect(res.status).toBe(400);
      expect(res.json.detail).toBe(detail);
    });

    it('refuses a private key in jwks, and never stores it', async () => {
      const res = await create({ token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [privateJwk] } });
      expect(res.status).toBe(400);
      expect(res.json.detail).toBe('jwks must hold public keys only');
    });

    it('answers 422 for a malformed jwks (no keys list, NUL characters)', async () => {
      for (const jwks of [{ keys: [] }, { keys: 'x' }, { keys: [{ kty: 'EC', x: 'a\u0000b' }] }, 'not an object']) {
        const res = await create({ token_endpoint_auth_method: 'private_key_jwt', jwks });
        expect(res.status, JSON.stringify(jwks)).toBe(422);
      }
    });
  });
}
