import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/app.js';

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

/** The device authorization, device verification, registration and registration-token endpoints. */
const ENDPOINTS = [
  { method: 'POST', url: '/api/v1/oauth/device_authorization' },
  { method: 'GET', url: '/api/v1/oauth/device' },
  { method: 'POST', url: '/api/v1/oauth/device' },
  { method: 'POST', url: '/api/v1/oauth/token' },
  { method: 'POST', url: '/api/v1/oauth/register' },
  { method: 'GET', url: '/api/v1/oauth/register/client_x' },
  { method: 'PUT', url: '/api/v1/oauth/register/client_x' },
  { method: 'DELETE', url: '/api/v1/oauth/register/%00' },
  { method: 'POST', url: '/admin/registration-tokens' },
] as const;

const FIELDS = [
  'grant_type', 'device_code', 'user_code', 'client_id', 'client_secret', 'scope', 'csrf_token', 'approved', 'username', 'password',
  'redirect_uris', 'client_name', 'token_endpoint_auth_method', 'grant_types', 'response_types', 'contacts', 'backchannel_logout_uri',
  'expires_in', 'uses', 'software_statement',
];

const value = fc.oneof(
  fc.constantFrom(DEVICE_GRANT, 'none', 'client_secret_basic', 'BCDF-GHJK', 'bcdfghjk', 'true', 'false', '-1', '1e309', 'null', 'javascript:alert(1)'),
  fc.string({ maxLength: 50 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ minLength: 5000, maxLength: 20000 }),
  fc.integer({ min: 40, max: 4000 }).map((n) => Array.from({ length: n }, (_, i) => `s${i}`).join(' ')),
);
const jsonValue = fc.oneof(value, fc.integer(), fc.boolean(), fc.constant(null), fc.array(value, { maxLength: 5 }), fc.jsonValue());
const form = fc.dictionary(fc.constantFrom(...FIELDS), value, { maxKeys: 8 });
const payload = fc.oneof(
  form.map((f) => ({ type: 'application/x-www-form-urlencoded', body: new URLSearchParams(f).toString() })),
  fc.dictionary(fc.constantFrom(...FIELDS), jsonValue, { maxKeys: 8 }).map((j) => ({ type: 'application/json', body: JSON.stringify(j) })),
  fc.jsonValue().map((j) => ({ type: 'application/json', body: JSON.stringify(j) ?? 'null' })),
  fc.uint8Array({ maxLength: 300 }).map((bytes) => ({ type: 'application/octet-stream', body: Buffer.from(bytes) })),
);
const authorization = fc.option(
  fc.oneof(
    fc.string({ maxLength: 80 }).map((s) => `Basic ${Buffer.from(s).toString('base64')}`),
    fc.string({ maxLength: 80 }).map((s) => `Bearer ${s}`),
    fc.string({ maxLength: 80 }),
  ),
  { nil: undefined },
);
const hostHeader = fc.oneof(
  fc.constantFrom('a b', '[', '[::1', 'host:99999', ':80', 'evil.example', 'localhost', 'user@host', 'host/path', '%00'),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
);

for (const policy of ['open', 'token', 'closed']) {
  describe(`fuzzing the device, registration and registration-token endpoints (registration.policy ${policy})`, () => {
    let server: TestServer;

    beforeAll(async () => {
      server = await startTestServer('sqlite', { AUTHLY_REGISTRATION__POLICY: policy, AUTHLY_RATE_LIMIT__ENABLED: 'false' });
    });
    afterAll(async () => server?.close());

    it('never answers 5xx, whatever the method, body, query, credentials or Host', async () => {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...ENDPOINTS), payload, form, authorization, fc.option(hostHeader, { nil: undefined }), async (endpoint, body, query, auth, host) => {
          const response = await server.app.server.inject({
            method: endpoint.method,
            url: `${endpoint.url}?${new URLSearchParams(query).toString()}`,
            headers: {
              'content-type': body.type,
              ...(auth ? { authorization: auth } : {}),
              ...(host !== undefined ? { host: host.replace(/[\r\n]/g, '') } : {}),
            },
            ...(endpoint.method === 'GET' ? {} : { payload: body.body }),
          });
          expect(response.statusCode, `${endpoint.method} ${endpoint.url} → ${response.statusCode} ${response.body.slice(0, 300)}`).toBeLessThan(500);
        }),
        { numRuns: policy === 'open' ? 300 : 150 },
      );
    });
  });
}
