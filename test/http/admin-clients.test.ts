import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestBackend, TestServer } from '../helpers/app.js';
import { hasPostgres } from '../helpers/services.js';
import type { ApiClient } from '../protection/api-client.js';
import { startAdminServer } from '../protection/api-client.js';

const BASE = { client_name: 'Admin-made app', client_type: 'confidential', redirect_uris: ['https://app.example.com/cb'] };

for (const backend of ['sqlite', 'postgresql'] as TestBackend[]) {
  describe.skipIf(backend === 'postgresql' && !hasPostgres)(`admin clients (${backend})`, () => {
    let server: TestServer;
    let api: ApiClient;
    let token: string;

    beforeAll(async () => {
      ({ server, api, adminToken: token } = await startAdminServer(backend));
    });
    afterAll(async () => server?.close());

    const create = (body: Record<string, unknown>) => api.call('POST', '/admin/clients', { token, body: { ...BASE, ...body } });

    it('creates a confidential client: 200, the secret shown once, and it authenticates at the token endpoint', async () => {
      const res = await create({ scope: 'read write', grant_types: ['authorization_code', 'refresh_token', 'client_credentials'], scopes: ['ignored'] });
      expect(res.status).toBe(200);
      expect(Object.keys(res.json).sort()).toEqual(['client_id', 'client_name', 'client_secret', 'client_type']);
      expect(res.json.client_id).toMatch(/^client_[A-Za-z0-9_-]{22}$/);
      expect(res.json.client_secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const basic = Buffer.from(`${res.json.client_id}:${res.json.client_secret}`).toString('base64');
      const cc = await api.call('POST', '/api/v1/oauth/token', {
        payload: 'grant_type=client_credentials&scope=read',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${basic}` },
      });
      expect(cc.status, cc.body).toBe(200);

      const got = await api.call('GET', `/admin/clients/${res.json.client_id}`, { token });
      expect(got.status).toBe(200);
      expect(got.json).toMatchObject({ client_id: res.json.client_id, client_type: 'confidential', token_endpoint_auth_method: 'client_secret_basic', assigned_scopes: ['read', 'write'] });
      expect(got.json).not.toHaveProperty('client_secret');
      expect(got.json).not.toHaveProperty('client_secret_hash');
    });

    it('creates a public client with auth method none and no secret', async () => {
      const res = await create({ client_type: 'public', redirect_uris: ['http://localhost:3000/cb', 'com.example.app://cb'] });
      expect(res.status).toBe(200);
      expect(res.json.client_secret).toBeNull();
      const got = await api.call('GET', `/admin/clients/${res.json.client_id}`, { token });
      expect(got.json.token_endpoint_auth_method).toBe('none');
    });

    it.each([
      [{ client_type: 'public', token_endpoint_auth_method: 'client_secret_basic' }, "Public clients must use 'none' token endpoint auth method"],
      [{ token_endpoint_auth_method: 'none' }, "Confidential clients cannot use 'none' token endpoint auth method"],
      [{ redirect_uris: [] }, 'At least one redirect URI is required'],
      [{ redirect_uris: [''] }, 'Invalid redirect URI: '],
      [{ redirect_uris: ['no-scheme'] }, 'Invalid redirect URI - missing scheme: no-scheme'],
      [{ client_type: 'public', redirect_uris: ['http://example.com/cb'] }, 'Public clients must use HTTPS, localhost, or custom schemes: http://example.com/cb'],
      [{ scope: 'read nonsense other' }, 'Invalid scopes: nonsense, other'],
      [{ scope: 'openid', subject_type: 'pairwise' }, 'sector_identifier_uri is required for pairwise subject type'],
      [{ default_max_age: -1 }, 'default_max_age must be non-negative'],
      [{ request_uris: ['http://example.com/r'] }, 'request_uris must use HTTPS: http://example.com/r'],
      [{ contacts: ['nobody'] }, 'Invalid contact email format: nobody'],
      [{ application_type: 'desktop' }, "application_type must be 'web' or 'native'"],
    ])('refuses %j with 400 %s', async (body, detail) => {
      const res = await create(body);
      expect(res.status).toBe(400);
      expect(res.json).toEqual({ detail });
    });

    it('answers 422 for schema violations', async () => {
      for (const body of [{ client_name: '' }, { client_type: 'other' }, { redirect_uris: 'https://x' }, { grant_types: ['implicit'] }]) {
        const res = await create(body);
        expect(res.status, JSON.stringify(body)).toBe(422);
        expect(Array.isArray(res.json.detail)).toBe(true);
      }
      const missing = await api.call('POST', '/admin/clients', { token, body: { client_name: 'x', client_type: 'public' } });
      expect(missing.status).toBe(422);
      expect(missing.json.detail[0]).toMatchObject({ type: 'missing', loc: ['body', 'redirect_uris'] });
    });

    it('lists active clients newest first, never with secrets; include_inactive shows deactivated ones', async () => {
      const made = (await create({ client_name: 'to be listed' })).json.client_id;
      const list = await api.call('GET', '/admin/clients', { token });
      expect(list.status).toBe(200);
      expect(Array.isArray(list.json)).toBe(true);
      expect(list.json[0].client_id).toBe(made);
      for (const client of list.json) expect(client.client_secret_hash).toBeNull();
      await api.call('DELETE', `/admin/clients/${made}`, { token });
      const active = await api.call('GET', '/admin/clients', { token, query: { active_only: 'true' } });
      expect(active.json.map((c: { client_id: string }) => c.client_id)).not.toContain(made);
      const all = await api.call('GET', '/admin/clients', { token, query: { include_inactive: 'true', limit: '1000' } });
      expect(all.json.find((c: { client_id: string }) => c.client_id === made)?.is_active).toBe(false);
      const paged = await api.call('GET', '/admin/clients', { token, query: { limit: '1', offset: '1' } });
      expect(paged.json).toHaveLength(1);
      expect((await api.call('GET', '/admin/clients/', { token })).status).toBe(307);
    });

    it('GET /admin/clients/{id}: 404 with the id for unknown or inactive clients', async () => {
      const res = await api.call('GET', '/admin/clients/client_unknown', { token });
      expect(res.status).toBe(404);
      expect(res.json).toEqual({ detail: 'Client not found: client_unknown' });
    });

    it('PUT /admin/clients/{id}: applies documented fields, is_active included, and re-validates redirect URIs', async () => {
      const id = (await create({})).json.client_id;
      const res = await api.call('PUT', `/admin/clients/${id}`, { token, body: { client_name: 'Renamed', client_uri: 'https://app.example.com', scope: 'read', unknown: 1 } });
      expect(res.status).toBe(200);
      expect(res.json).toMatchObject({ client_id: id, client_name: 'Renamed', client_uri: 'https://app.example.com', scope: 'read', client_secret_hash: null });
      expect((await api.call('GET', `/admin/clients/${id}`, { token })).json.assigned_scopes).toEqual(['read']);
      const bad = await api.call('PUT', `/admin/clients/${id}`, { token, body: { redirect_uris: ['nope'] } });
      expect(bad.status).toBe(400);
      expect(bad.json).toEqual({ detail: 'Invalid redirect URI - missing scheme: nope' });
      const none = await api.call('PUT', `/admin/clients/${id}`, { token, body: { unknown: 1 } });
      expect(none.status).toBe(400);
      expect(none.json).toEqual({ detail: 'No valid fields to update' });
      const off = await api.call('PUT', `/admin/clients/${id}`, { token, body: { is_active: false } });
      expect(off.json.is_active).toBe(false);
      expect((await api.call('GET', `/admin/clients/${id}`, { token })).status).toBe(404);
      const on = await api.call('PUT', `/admin/clients/${id}`, { token, body: { is_active: true } });
      expect(on.json.is_active).toBe(true);
      const missing = await api.call('PUT', '/admin/clients/client_unknown', { token, body: { client_name: 'x' } });
      expect(missing.status).toBe(404);
      expect(missing.json).toEqual({ detail: 'Client not found' });
    });

    it('regenerates a confidential secret once; the old secret stops working; public clients are refused', async () => {
      const created = (await create({ grant_types: ['client_credentials'], scope: 'read' })).json;
      const res = await api.call('POST', `/admin/clients/${created.client_id}/regenerate-secret`, { token, body: {} });
      expect(res.status).toBe(200);
      expect(res.json).toMatchObject({ client_id: created.client_id, message: 'Client secret regenerated successfully' });
      expect(res.json.new_secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const tokenWith = (secret: string) =>
        api.call('POST', '/api/v1/oauth/token', {
          payload: 'grant_type=client_credentials',
          headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${created.client_id}:${secret}`).toString('base64')}` },
        });
      expect((await tokenWith(created.client_secret)).status).toBe(401);
      expect((await tokenWith(res.json.new_secret)).status).toBe(200);
      const pub = (await create({ client_type: 'public' })).json.client_id;
      const refused = await api.call('POST', `/admin/clients/${pub}/regenerate-secret`, { token });
      expect(refused.status).toBe(400);
      expect(refused.json).toEqual({ detail: 'Only confidential clients can have secrets regenerated' });
      expect((await api.call('POST', '/admin/clients/client_unknown/regenerate-secret', { token })).status).toBe(404);
    });

    it('DELETE deactivates once, then 404', async () => {
      const id = (await create({})).json.client_id;
      const res = await api.call('DELETE', `/admin/clients/${id}`, { token });
      expect(res.status).toBe(200);
      expect(res.json).toEqual({ client_id: id, message: 'Client deactivated successfully' });
      const again = await api.call('DELETE', `/admin/clients/${id}`, { token });
      expect(again.status).toBe(404);
      expect(again.json).toEqual({ detail: 'Client not found' });
    });

    it('reads and updates the OIDC settings', async () => {
      const id = (await create({ scope: 'openid profile read' })).json.client_id;
      const got = await api.call('GET', `/admin/clients/${id}/oidc`, { token });
      expect(got.status).toBe(200);
      expect(got.json).toMatchObject({ client_id: id, is_oidc_client: true, oidc_scopes: ['openid', 'profile'], id_token_signed_response_alg: 'RS256', subject_type: 'public', application_type: 'web', request_uris: [], contacts: [] });
      const put = await api.call('PUT', `/admin/clients/${id}/oidc`, { token, body: { id_token_signed_response_alg: 'ES256', contacts: ['ops@example.com'], default_max_age: 600, other: true } });
      expect(put.status).toBe(200);
      expect(put.json).toEqual({ client_id: id, message: 'OIDC settings updated successfully', updated_fields: ['id_token_signed_response_alg', 'default_max_age', 'contacts'] });
      expect((await api.call('GET', `/admin/clients/${id}/oidc`, { token })).json).toMatchObject({ id_token_signed_response_alg: 'ES256', default_max_age: 600, contacts: ['ops@example.com'] });
      const none = await api.call('PUT', `/admin/clients/${id}/oidc`, { token, body: { client_name: 'x' } });
      expect(none.json).toEqual({ detail: 'No valid OIDC fields provided for update' });
      const badAlg = await api.call('PUT', `/admin/clients/${id}/oidc`, { token, body: { id_token_signed_response_alg: 'none' } });
      expect(badAlg.status).toBe(422);
      expect((await api.call('GET', '/admin/clients/client_unknown/oidc', { token })).status).toBe(404);
    });

    it('lists the supported ID-token algorithms and subject types', async () => {
      const res = await api.call('GET', '/admin/clients/oidc/algorithms', { token });
      expect(res.status).toBe(200);
      expect(res.json.supported_algorithms.map((a: { algorithm: string }) => a.algorithm)).toEqual(['RS256', 'HS256', 'ES256']);
      expect(res.json.subject_types).toEqual([
        { type: 'public', description: 'Same subject identifier for all clients', default: true },
        { type: 'pairwise', description: 'Different subject identifier per client', default: false },
      ]);
    });
  });
}
