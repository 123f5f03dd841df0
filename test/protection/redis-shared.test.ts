import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { RedisThrottleStore } from '../../src/cache/redis-throttle-store.js';
import type { TestServer } from '../helpers/app.js';
import { hasRedis, REDIS_URL } from '../helpers/services.js';
import { deleteUnder, openRawRedis } from '../helpers/raw-redis.js';
import type { ApiClient } from './api-client.js';
import { ADMIN_PASSWORD, startAdminServer } from './api-client.js';

const silent = { debug() {}, info() {}, warn() {}, error() {} };

describe.skipIf(!hasRedis)('rate limits and lockout shared through Redis', () => {
  const redis = openRawRedis();
  const prefixes: string[] = [];
  let servers: TestServer[] = [];

  /** Two instances of the server (separate databases, same admin) sharing one Redis key prefix. */
  async function twoInstances(env: Record<string, string>): Promise<[ApiClient, ApiClient]> {
    const prefix = `authly-test:${randomBytes(6).toString('hex')}:`;
    prefixes.push(prefix);
    // Separate databases must not share a cache (cache.backend auto would be tiered over this Redis).
    const shared = { AUTHLY_REDIS_URL: REDIS_URL, AUTHLY_REDIS__KEY_PREFIX: prefix, AUTHLY_CACHE__BACKEND: 'none', ...env };
    const a = await startAdminServer('sqlite', shared);
    const b = await startAdminServer('sqlite', shared);
    servers = [a.server, b.server];
    return [a.api, b.api];
  }

  afterEach(async () => {
    await Promise.all(servers.map((s) => s.close()));
    servers = [];
  });
  afterAll(async () => {
    for (const prefix of prefixes) await deleteUnder(redis, prefix);
    redis.disconnect();
  });

  it('counts one per-address budget across both instances', async () => {
    // Each instance's start-up admin login already took one of the six.
    const [a, b] = await twoInstances({ AUTHLY_RATE_LIMIT__LOGIN_PER_IP: '6' });
    for (const api of [a, b, a, b]) expect((await api.login('admin', ADMIN_PASSWORD)).status).toBe(200);
    for (const api of [a, b]) {
      const res = await api.login('admin', ADMIN_PASSWORD);
      expect(res.status).toBe(429);
      expect(res.json).toEqual({ detail: 'Rate limit exceeded' });
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    }
  });

  it('lets exactly the budget through a concurrent burst spread over both instances', async () => {
    const [a, b] = await twoInstances({ AUTHLY_RATE_LIMIT__LOGIN_PER_IP: '12' });
    const burst = await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? a : b).login('admin', ADMIN_PASSWORD)));
    const ok = burst.filter((r) => r.status === 200).length;
    const limited = burst.filter((r) => r.status === 429);
    expect(ok).toBe(10); // 12 minus the two start-up logins
    expect(limited).toHaveLength(20);
    for (const res of limited) expect(res.headers['retry-after']).toMatch(/^\d+$/);
  });

  it('locks an account on both instances after failures spread over them', async () => {
    const [a, b] = await twoInstances({ AUTHLY_LOCKOUT_MAX_ATTEMPTS: '4' });
    for (const [i, api] of [a, b, a, b].entries()) {
      expect((await api.login('admin', 'wrong', undefined, `192.0.2.${i + 1}`)).status).toBe(400);
    }
    for (const api of [a, b]) {
      const res = await api.login('admin', ADMIN_PASSWORD, undefined, '198.51.100.1');
      expect(res.status).toBe(429);
      expect(res.json.error_description).toBe('Too many failed attempts. Account temporarily locked.');
    }
  });

  it('stores counters under the configured prefix with an expiry', async () => {
    const prefix = `authly-test:${randomBytes(6).toString('hex')}:`;
    prefixes.push(prefix);
    const store = new RedisThrottleStore({ url: REDIS_URL, keyPrefix: prefix, logger: silent });
    try {
      expect(await store.increment('k', 5000)).toMatchObject({ count: 1 });
      const second = await store.increment('k', 5000);
      expect(second.count).toBe(2);
      expect(second.resetInMs).toBeGreaterThan(4000);
      expect(await redis.pttl(`${prefix}throttle:k`)).toBeGreaterThan(4000);
      expect(await store.peek('k')).toMatchObject({ count: 2 });
      await store.delete('k');
      expect(await store.peek('k')).toBeUndefined();
    } finally {
      await store.close();
    }
  });

  it('fails open when Redis is unreachable: logins still work', async () => {
    const started = await startAdminServer('sqlite', { AUTHLY_REDIS_URL: 'redis://127.0.0.1:1' });
    servers = [started.server];
    expect((await started.api.login('admin', ADMIN_PASSWORD)).status).toBe(200);
  }, 20_000);
});
