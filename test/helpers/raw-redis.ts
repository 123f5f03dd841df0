import { cacheKeyPrefix, createRedisClient, type RedisClient } from '../../src/cache/redis-client.js';
import { deleteByPrefix, scanPrefix } from '../../src/cache/redis-scan.js';
import { REDIS_URL } from './services.js';

/*
 * Direct access to the test Redis for assertions, whatever REDIS_URL names (one server, a
 * cluster or a sentinel-managed master).
 */

/** A plain client of the test Redis; `disconnect()` it after. */
export function openRawRedis(): RedisClient {
  return createRedisClient(REDIS_URL, { connectTimeout: 2000, commandTimeout: 5000, maxRetriesPerRequest: 1, retryStrategy: () => 200 });
}

/** The Redis key of the cache's logical `key` under `prefix` (a cluster adds the `{cache}` hash tag). */
export function cacheKey(prefix: string, key: string): string {
  return cacheKeyPrefix(prefix, REDIS_URL) + key;
}

/** Every key starting with `prefix` (SCAN on every primary). */
export async function keysUnder(redis: RedisClient, prefix: string): Promise<string[]> {
  const found: string[] = [];
  await scanPrefix(redis, prefix, (keys) => void found.push(...keys));
  return found;
}

/** Deletes every key starting with `prefix`. */
export function deleteUnder(redis: RedisClient, prefix: string): Promise<number> {
  return deleteByPrefix(redis, prefix);
}
