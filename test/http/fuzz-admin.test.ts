import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestBackend, TestServer } from '../helpers/app.js';
import { hasPostgres } from '../helpers/services.js';
import type { ApiClient } from '../protection/api-client.js';
import { ADMIN_PASSWORD, startAdminServer } from '../protection/api-client.js';

/** The admin API routes as templates; `{…}` segments are filled by the fuzzer. */
const ROUTES: [string, string][] = [
  ['POST', '/api/v1/auth/logout'],
  ['POST', '/api/v1/auth/change-password'],
  ['GET', '/api/v1/auth/password-status'],
  ['POST', '/api/v1/users/'],
  ['GET', '/api/v1/users/me'],
  ['GET', '/api/v1/users/me/grants'],
  ['DELETE', '/api/v1/users/me/grants/{grant_id}'],
  ['GET', '/api/v1/users/{user_id}'],
  ['GET', '/api/v1/users/'],
  ['PUT', '/api/v1/users/{user_id}'],
  ['PUT', '/api/v1/users/{user_id}/verify'],
  ['GET', '/admin/health'],
  ['GET', '/admin/status'],
  ['GET', '/admin/dashboard/stats'],
  ['GET', '/admin/clients'],
  ['POST', '/admin/clients'],
  ['GET', '/admin/clients/{client_id}'],
  ['PUT', '/admin/clients/{client_id}'],
  ['POST', '/admin/clients/{client_id}/regenerate-secret'],
  ['GET', '/admin/clients/{client_id}/oidc'],
  ['PUT', '/admin/clients/{client_id}/oidc'],
  ['GET', '/admin/clients/oidc/algorithms'],
  ['GET', '/admin/scopes'],
  ['POST', '/admin/scopes'],
  ['GET', '/admin/scopes/defaults'],
  ['GET', '/admin/scopes/{scope_name}'],
  ['PUT', '/admin/scopes/{scope_name}'],
  ['GET', '/admin/users'],
  ['GET', '/admin/users/{user_id}'],
  ['POST', '/admin/users'],
  ['PUT', '/admin/users/{user_id}'],
  ['POST', '/admin/users/{user_id}/reset-password'],
  ['GET', '/admin/users/{user_id}/sessions'],
  ['DELETE', '/admin/users/{user_id}/sessions/{session_id}'],
  ['GET', '/admin/users/{user_id}/grants'],
  ['DELETE', '/admin/users/{user_id}/grants/{grant_id}'],
  ['DELETE', '/api/v1/users/{user_id}'],
  ['DELETE', '/admin/clients/{client_id}'],
  ['DELETE', '/admin/scopes/{scope_name}'],
  ['DELETE', '/admin/users/{user_id}'],
  ['DELETE', '/admin/users/{user_id}/sessions'],
];

const FIELDS = [
  'username', 'email', 'password', 'is_admin', 'is_active', 'is_verified', 'current_password', 'new_password', 'client_name', 'client_type',
  'redirect_uris', 'scope', 'grant_types', 'token_endpoint_auth_method', 'client_uri', 'software_version', 'id_token_signed_response_alg',
  'subject_type', 'default_max_age', 'request_uris', 'contacts', 'application_type', 'scope_name', 'description', 'is_default',
  'generate_temp_password', 'birthdate', 'address', 'given_name', 'locale', 'phone_number', 'requires_password_change',
  'jwks', 'jwks_uri', 'require_pushed_authorization_requests', 'dpop_bound_access_tokens',
];
const QUERY_KEYS = ['skip', 'limit', 'offset', 'include_inactive', 'default_only', 'username', 'email', 'search', 'is_admin', 'created_after', 'last_login_before', 'sort_by', 'sort_order', 'locale'];

const nasty = fc.constantFrom('\u0000', 'a\u0000b', '%00', '\ud800', '😀'.repeat(300), 'x'.repeat(5000), '99999999999999999999', '-1', '1e309', 'NaN', 'true', "'; DROP TABLE users; --", '../..', '{}', '[]');
const scalar = fc.oneof(fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), nasty, fc.string({ minLength: 200, maxLength: 3000 }));
// JWK Sets with keys of any members and values (`jwks`), besides plain scalars, lists and objects.
const jwkSet = fc.record({ keys: fc.array(fc.dictionary(fc.constantFrom('kty', 'kid', 'crv', 'x', 'y', 'n', 'e', 'd', 'x5c', '\u0000'), scalar, { maxKeys: 5 }), { maxLength: 3 }) });
const value = fc.oneof(scalar, fc.array(scalar, { maxLength: 5 }), fc.dictionary(fc.string({ maxLength: 8 }), scalar, { maxKeys: 4 }), jwkSet);
const fieldsBody = fc.dictionary(fc.constantFrom(...FIELDS), value, { maxKeys: 8 });

/** A request body: typed fields of wrong types, any JSON, malformed JSON, or random bytes. */
const body = fc.oneof(
  fc.record({ kind: fc.constant('json' as const), data: fieldsBody }),
  fc.record({ kind: fc.constant('json' as const), data: fc.jsonValue() }),
  fc.record({ kind: fc.constant('raw' as const), data: fc.string(), type: fc.constant('application/json') }),
  fc.record({ kind: fc.constant('raw' as const), data: fc.uint8Array({ maxLength: 512 }), type: fc.constantFrom('application/json', 'application/octet-stream', 'text/plain', 'application/x-www-form-urlencoded') }),
  fc.record({ kind: fc.constant('none' as const) }),
);

/** Percent-encodes; a lone surrogate becomes the invalid UTF-8 bytes a raw client could send. */
function encodeSegment(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return '%ED%A0%80';
  }
}

for (const backend of ['sqlite', 'postgresql'] as TestBackend[]) {
  describe.skipIf(backend === 'postgresql' && !hasPostgres)(`fuzzing the users, auth and admin APIs (${backend})`, () => {
    let server: TestServer;
    let api: ApiClient;
    let token: string;
    let victimId: string;

    beforeAll(async () => {
      ({ server, api, adminToken: token } = await startAdminServer(backend, { AUTHLY_RATE_LIMIT__ENABLED: 'false', AUTHLY_LOCKOUT__ENABLED: 'false' }));
      victimId = server.user.id;
    });
    afterAll(async () => server?.close());

    it('never answers 5xx to a malformed or foreign Host header on any route', async () => {
      const host = fc.oneof(
        fc.constantFrom('a b', '[', '[::1', 'host:99999', 'evil.example', 'user@host', 'host/x', '', ' ', 'localhost:', '[::1]:8000', '127.0.0.1'),
        fc.string({ maxLength: 40 }),
        fc.string({ unit: 'binary', maxLength: 40 }).map((text) => text.replace(/[\r\n]/g, '')),
      );
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...ROUTES), host, body, async ([method, template], hostValue, requestBody) => {
          const url = template.replace(/\{[a-z_]+\}/g, victimId);
          const res = await api.call(method, url, {
            token,
            headers: { host: hostValue, ...(requestBody.kind === 'raw' ? { 'content-type': requestBody.type } : {}) },
            ...(requestBody.kind === 'json' ? { body: requestBody.data } : {}),
            ...(requestBody.kind === 'raw' ? { payload: typeof requestBody.data === 'string' ? requestBody.data : Buffer.from(requestBody.data) } : {}),
          });
          expect(res.status, `${method} ${url} Host ${JSON.stringify(hostValue)} → ${res.body.slice(0, 300)}`).toBeLessThan(500);
          if (res.status === 401) token = await api.token('admin', ADMIN_PASSWORD);
        }),
        { numRuns: 300 },
      );
    }, 120_000);

    it('never answers 5xx and never leaks a hash, whatever the path ids, query, body or token', async () => {
      const segment = fc.oneof(
        fc.constantFrom(() => victimId, () => '00000000-0000-4000-8000-000000000000', () => server.confidential.client.clientId, () => 'openid').map((f) => f()),
        fc.string({ maxLength: 300 }).map(encodeSegment),
        nasty.map(encodeSegment),
      );
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...ROUTES),
          fc.array(segment, { minLength: 2, maxLength: 2 }),
          fc.dictionary(fc.constantFrom(...QUERY_KEYS), fc.oneof(fc.string(), nasty), { maxKeys: 4 }),
          body,
          fc.constantFrom('admin', 'admin', 'admin', 'none', 'garbage'),
          async ([method, template], [first, second], query, requestBody, auth) => {
            let n = 0;
            const url = template.replace(/\{[a-z_]+\}/g, () => (n++ === 0 ? first! : second!));
            const options = {
              token: auth === 'admin' ? token : auth === 'garbage' ? 'x.y.z' : undefined,
              query,
              ...(requestBody.kind === 'json' ? { body: requestBody.data } : {}),
              ...(requestBody.kind === 'raw' ? { payload: typeof requestBody.data === 'string' ? requestBody.data : Buffer.from(requestBody.data), headers: { 'content-type': requestBody.type } } : {}),
            };
            const res = await api.call(method, url, options);
            expect(res.status, `${method} ${url} → ${res.body.slice(0, 300)}`).toBeLessThan(500);
            // Logout (or a session revocation) ends the admin's token: log in again to keep fuzzing deep.
            if (auth === 'admin' && res.status === 401) token = await api.token('admin', ADMIN_PASSWORD);
          },
        ),
        { numRuns: 600 },
      );
    }, 120_000);
  });
}
