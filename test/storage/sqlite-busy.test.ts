import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/app.js';

/*
 * A SQLite write that waits out busy_timeout (another process holds the write lock) is "try
 * again later": 503 + Retry-After, the OAuth body on OAuth endpoints, never a 500.
 */
describe('SQLite locked past busy_timeout', () => {
  let server: TestServer;
  let locker: BetterSqlite3.Database;

  beforeAll(async () => {
    server = await startTestServer('sqlite', { AUTHLY_DATABASE__SQLITE__PRAGMAS__BUSY_TIMEOUT: '50', AUTHLY_RATE_LIMIT__ENABLED: 'false' });
    locker = new BetterSqlite3(server.app.container.config.database.sqlite.path);
  });
  afterAll(async () => {
    if (locker.inTransaction) locker.exec('ROLLBACK');
    locker.close();
    await server.close();
  });

  const basic = () => `Basic ${Buffer.from(`${server.confidential.client.clientId}:${server.confidential.secret}`).toString('base64')}`;
  const token = () =>
    fetch(`${server.url}/api/v1/oauth/token`, {
      method: 'POST',
      headers: { authorization: basic(), 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&scope=read',
    });
  const register = () =>
    fetch(`${server.url}/api/v1/users/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: `u${Date.now()}`, email: `u${Date.now()}@example.com`, password: 'long-enough-password' }),
    });

  it('answers 503 temporarily_unavailable with Retry-After while another connection holds the write lock, 200 after', async () => {
    expect((await token()).status).toBe(200);
    locker.exec('BEGIN IMMEDIATE');
    try {
      const locked = await token();
      expect(locked.status).toBe(503);
      expect(locked.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(locked.headers.get('cache-control')).toBe('no-store');
      expect(await locked.json()).toEqual({
        error: 'temporarily_unavailable',
        error_description: 'The authorization server is temporarily unable to handle the request',
      });
      // A non-OAuth route answers the detail body.
      const registration = await register();
      expect(registration.status).toBe(503);
      expect(registration.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(await registration.json()).toEqual({ detail: 'Service temporarily unavailable' });
    } finally {
      locker.exec('ROLLBACK');
    }
    expect((await token()).status).toBe(200);
    expect((await register()).status).toBe(201);
  });
});
