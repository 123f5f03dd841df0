import { expect } from 'vitest';
import { startTestServer, type TestBackend, type TestServer } from '../helpers/app.js';

/** Every admin scope: what `authly admin login` asks for plus the unused system write scope. */
export const ALL_ADMIN_SCOPES = [
  'admin:clients:read',
  'admin:clients:write',
  'admin:scopes:read',
  'admin:scopes:write',
  'admin:users:read',
  'admin:users:write',
  'admin:system:read',
  'admin:system:write',
].join(' ');

/** The bootstrap admin's password in these tests (configured, so known). */
export const ADMIN_PASSWORD = 'Admin-Passw0rd!';

/** One recorded response. */
export interface ApiResponse {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: string;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- response bodies are asserted field by field
}

/** A request through Fastify's `inject` (no socket, any `remoteAddress`). */
export interface ApiRequest {
  token?: string;
  body?: unknown;
  /** Raw payload, sent as is (malformed JSON, random bytes). */
  payload?: string | Buffer;
  headers?: Record<string, string>;
  remoteAddress?: string;
  query?: Record<string, string>;
}

/**
 * Secrets at rest must never leave the server: no argon2/bcrypt password hash, no HMAC client
 * secret digest. Every response a test makes through {@link ApiClient} is checked.
 */
export const HASH_PATTERNS = [/\$argon2(id|i|d)\$/, /\$2[aby]\$\d\d\$/, /hmac-sha256\$/];

/** Calls the app by `inject` and checks every response body for leaked hashes. */
export class ApiClient {
  readonly server: TestServer;
  readonly responses: ApiResponse[] = [];

  constructor(server: TestServer) {
    this.server = server;
  }

  async call(method: string, url: string, options: ApiRequest = {}): Promise<ApiResponse> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let payload: string | Buffer | undefined = options.payload;
    if (options.body !== undefined) {
      payload = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await this.server.app.server.inject({
      method: method as 'GET',
      url,
      headers,
      payload,
      query: options.query,
      remoteAddress: options.remoteAddress,
    });
    let json: unknown;
    try {
      json = res.body ? JSON.parse(res.body) : undefined;
    } catch {
      json = undefined;
    }
    const response = { status: res.statusCode, headers: res.headers, body: res.body, json };
    this.responses.push(response);
    for (const pattern of HASH_PATTERNS) expect(res.body, `${method} ${url} leaks a hash`).not.toMatch(pattern);
    return response;
  }

  /** Password grant, no client (as Authly's CLI logs in). */
  async login(username: string, password: string, scope = ALL_ADMIN_SCOPES, remoteAddress?: string): Promise<ApiResponse> {
    return this.call('POST', '/api/v1/oauth/token', {
      payload: new URLSearchParams({ grant_type: 'password', username, password, scope }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      remoteAddress,
    });
  }

  /** An access token for the user, or a failed expectation. */
  async token(username: string, password: string, scope = ALL_ADMIN_SCOPES): Promise<string> {
    const res = await this.login(username, password, scope);
    expect(res.status, res.body).toBe(200);
    return res.json.access_token as string;
  }
}

/** A test server whose bootstrap admin has a known password, plus an API client for it. */
export async function startAdminServer(
  backend: TestBackend = 'sqlite',
  env: Record<string, string> = {},
  options: Parameters<typeof startTestServer>[2] = {},
): Promise<{ server: TestServer; api: ApiClient; adminToken: string }> {
  const server = await startTestServer(backend, { AUTHLY_ADMIN_PASSWORD: ADMIN_PASSWORD, ...env }, options);
  const api = new ApiClient(server);
  const adminToken = await api.token('admin', ADMIN_PASSWORD);
  return { server, api, adminToken };
}
