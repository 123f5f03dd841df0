import { afterEach, describe, expect, it } from 'vitest';
import type { TestServer } from '../helpers/app.js';
import { loginThroughForm } from '../helpers/login-form.js';
import type { ApiClient } from './api-client.js';
import { ADMIN_PASSWORD, startAdminServer } from './api-client.js';

const LOCKED = { error: 'invalid_grant', error_description: 'Too many failed attempts. Account temporarily locked.' };

describe('request protection over HTTP', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function start(env: Record<string, string> = {}): Promise<ApiClient> {
    const started = await startAdminServer('sqlite', env);
    server = started.server;
    return started.api;
  }

  it('allows Authly suite-style bursts with the defaults: 20 admin password logins a minute from one address', async () => {
    const api = await start();
    const results = await Promise.all(Array.from({ length: 20 }, () => api.login('admin', ADMIN_PASSWORD)));
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
  });

  it('answers a burst over the per-address limit with 429 and Retry-After', async () => {
    const api = await start({ AUTHLY_RATE_LIMIT__LOGIN_PER_IP: '5' });
    // The start-up admin login used one of the five.
    const results = await Promise.all(Array.from({ length: 10 }, () => api.login('admin', ADMIN_PASSWORD)));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([...Array(4).fill(200), ...Array(6).fill(429)]);
    const limited = results.find((r) => r.status === 429)!;
    expect(limited.json).toEqual({ detail: 'Rate limit exceeded' });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
    // Another address has its own budget.
    expect((await api.login('admin', ADMIN_PASSWORD, undefined, '192.0.2.44')).status).toBe(200);
  });

  it('limits per username across addresses', async () => {
    const api = await start({ AUTHLY_RATE_LIMIT__LOGIN_PER_USERNAME: '3' });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await api.login('admin', ADMIN_PASSWORD, undefined, `192.0.2.${i + 1}`)).status);
    expect(statuses).toEqual([200, 200, 429, 429]);
  });

  it('limits self-registration per address', async () => {
    const api = await start({ AUTHLY_RATE_LIMIT__REGISTRATION_PER_IP: '2' });
    const register = (i: number) => api.call('POST', '/api/v1/users/', { body: { username: `reg${i}`, email: `reg${i}@example.com`, password: 'long-enough' } });
    expect((await register(1)).status).toBe(201);
    expect((await register(2)).status).toBe(201);
    const limited = await register(3);
    expect(limited.status).toBe(429);
    expect(limited.json).toEqual({ detail: 'Rate limit exceeded' });
    expect(limited.headers['retry-after']).toBeDefined();
  });

  it('locks the account after 5 failed password grants (Authly defaults), even for the right password, with Retry-After', async () => {
    const api = await start();
    for (let i = 0; i < 5; i++) {
      const res = await api.login('admin', 'wrong', undefined, `192.0.2.${i + 1}`);
      expect(res.status).toBe(400);
      expect(res.json.error_description).toBe('Incorrect username or password');
    }
    const locked = await api.login('admin', ADMIN_PASSWORD);
    expect(locked.status).toBe(429);
    expect(locked.json).toEqual(LOCKED);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(295);
    // Unknown usernames lock the same way, so the lockout does not reveal which accounts exist.
    for (let i = 0; i < 5; i++) await api.login('ghost', 'wrong');
    expect((await api.login('ghost', 'wrong')).status).toBe(429);
  });

  it('honours AUTHLY_LOCKOUT_MAX_ATTEMPTS and AUTHLY_LOCKOUT_DURATION_SECONDS', async () => {
    const api = await start({ AUTHLY_LOCKOUT_MAX_ATTEMPTS: '2', AUTHLY_LOCKOUT_DURATION_SECONDS: '1' });
    await api.login('admin', 'wrong');
    await api.login('admin', 'wrong');
    const locked = await api.login('admin', ADMIN_PASSWORD);
    expect(locked.status).toBe(429);
    expect(locked.headers['retry-after']).toBe('1');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await api.login('admin', ADMIN_PASSWORD)).status).toBe(200);
  });

  it('throttles the login form too: repeated failures lock the account, shown as a 429 page', async () => {
    await start();
    const s = server!;
    const url = new URL(`${s.url}/api/v1/oauth/authorize`);
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: s.publicClient.clientId,
      redirect_uri: s.redirectUri,
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
      state: 'xyz',
    }).toString();
    for (let i = 0; i < 5; i++) {
      const res = await loginThroughForm(url.toString(), { username: s.user.username, password: 'wrong' });
      expect(res.status).toBe(401);
      await res.text();
    }
    const locked = await loginThroughForm(url.toString(), { username: s.user.username, password: s.password });
    expect(locked.status).toBe(429);
    expect(locked.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await locked.text()).toContain('Too many failed attempts. Account temporarily locked.');
  });

  it('has CORS off by default: no Access-Control-* headers', async () => {
    const api = await start();
    const res = await api.call('GET', '/health', { headers: { origin: 'https://app.example.com' } });
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('answers CORS for the configured origins only when enabled', async () => {
    const api = await start({ AUTHLY_CORS__ENABLED: 'true', AUTHLY_CORS__ORIGINS: 'https://app.example.com' });
    const preflight = await api.call('OPTIONS', '/api/v1/oauth/token', {
      headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('https://app.example.com');
    expect(preflight.headers['access-control-max-age']).toBe('600');
    const other = await api.call('GET', '/health', { headers: { origin: 'https://evil.example' } });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('keeps the 1 MiB body limit (413)', async () => {
    const api = await start();
    const res = await api.call('POST', '/api/v1/users/', { payload: JSON.stringify({ username: 'x'.repeat(2 * 1024 * 1024) }), headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(413);
  });
});
