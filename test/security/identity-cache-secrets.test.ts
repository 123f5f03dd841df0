import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/app.js';
import { hasPostgres, hasRedis, REDIS_URL } from '../helpers/services.js';
import { ApiClient } from '../protection/api-client.js';
import { appClient, fullLogin } from './identity-helpers.js';

/*
 * Rule: password hashes never reach the cache. A user row in Redis is readable by anyone who
 * can read Redis (operators, a compromised cache host, a shared instance); the hash there would
 * be an offline cracking target. Password checks read the hash from the database.
 */
const backends = ['sqlite', ...(hasPostgres ? (['postgresql'] as const) : [])] as const;

/** Every value stored under `prefix`, whatever its Redis type. */
async function valuesUnder(redis: Redis, prefix: string): Promise<{ key: string; value: string }[]> {
  const out: { key: string; value: string }[] = [];
  for (const key of await redis.keys(`${prefix}*`)) {
    const type = await redis.type(key);
    const value =
      type === 'string'
        ? await redis.get(key)
        : type === 'hash'
          ? JSON.stringify(await redis.hgetall(key))
          : type === 'list'
            ? JSON.stringify(await redis.lrange(key, 0, -1))
            : type === 'set'
              ? JSON.stringify(await redis.smembers(key))
              : type === 'zset'
                ? JSON.stringify(await redis.zrange(key, 0, -1))
                : JSON.stringify(await redis.xrange(key, '-', '+'));
    out.push({ key, value: value ?? '' });
  }
  return out;
}

describe.skipIf(!hasRedis).each(backends)('no password hash in the Redis cache (%s)', (backend) => {
  const prefix = `authly-test-${randomBytes(5).toString('hex')}:`;
  const redis = new Redis(REDIS_URL);
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer(backend, { AUTHLY_REDIS_URL: REDIS_URL, AUTHLY_REDIS__KEY_PREFIX: prefix, AUTHLY_CACHE__BACKEND: 'redis' });
  });
  afterAll(async () => {
    await server?.close();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  it('after password-grant, login-form and bearer use, no value under the prefix holds the hash or $argon2', async () => {
    const api = new ApiClient(server);
    const token = await api.token(server.user.username, server.password, 'openid profile');
    expect((await api.call('GET', '/api/v1/users/me', { token })).status).toBe(200);
    await fullLogin(server, await appClient(server), server.user.username, server.password);
    expect((await api.login(server.user.username, 'wrong-password', '')).status).toBe(400);

    const values = await valuesUnder(redis, prefix);
    // The user row is cached (so the check below looks at it), without its hash.
    expect(values.some((v) => v.value.includes(server.user.username))).toBe(true);
    for (const { key, value } of values) {
      expect(value, key).not.toContain('$argon2');
      expect(value, key).not.toMatch(/passwordHash|password_hash/);
    }
    const stored = await server.app.container.repositories.users.findCredentials({ id: server.user.id });
    expect(stored?.passwordHash).toMatch(/^\$argon2id\$/);
    for (const { key, value } of values) expect(value, key).not.toContain(stored!.passwordHash);
  });
});
