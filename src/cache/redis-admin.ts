import { randomUUID } from 'node:crypto';
import { cacheKeyPrefix, createRedisClient, type RedisClient } from './redis-client.js';
import { encodeInvalidation, invalidationChannel } from './redis-invalidation-bus.js';
import { SEQUENCE_KEY } from './redis-tier.js';
import { countByNamespace, deleteByPrefix } from './redis-scan.js';

/** Where the shared cache lives. */
export interface RedisCacheLocation {
  redisUrl: string;
  /** `redis.key_prefix`. */
  keyPrefix: string;
}

/** Bookkeeping keys (the invalidation counter) are not cache entries: neither counted nor flushed. */
const META_NAMESPACE = SEQUENCE_KEY.slice(0, SEQUENCE_KEY.indexOf(':'));

/**
 * Runs `work` on a one-shot connection: fail fast (no retries) since an operator is waiting,
 * unlike the server's connections, which wait out an outage.
 */
async function withRedis<T>(url: string, work: (redis: RedisClient) => Promise<T>): Promise<T> {
  const redis = createRedisClient(url, {
    lazyConnect: true,
    connectTimeout: 2000,
    commandTimeout: 5000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined); // reported by the rejected command instead
  try {
    await redis.connect();
    return await work(redis);
  } finally {
    redis.disconnect();
  }
}

/**
 * Number of cache entries in Redis per namespace (`clients`, `users`, ...), tombstones
 * included. What a separate process can know: hit and miss counters live in each server.
 */
export function countCachedKeys(location: RedisCacheLocation): Promise<Record<string, number>> {
  return withRedis(location.redisUrl, async (redis) => {
    const counts = await countByNamespace(redis, cacheKeyPrefix(location.keyPrefix, location.redisUrl));
    delete counts[META_NAMESPACE];
    return counts;
  });
}

/**
 * Deletes every cache entry under the prefix (SCAN + UNLINK) and publishes an invalidation of
 * everything, so running servers empty their in-process tier too. Returns how many keys went.
 */
export function flushCachedKeys(location: RedisCacheLocation): Promise<number> {
  return withRedis(location.redisUrl, async (redis) => {
    // The counter stays: resetting it would let fills that began before the flush through.
    const prefix = cacheKeyPrefix(location.keyPrefix, location.redisUrl);
    const deleted = await deleteByPrefix(redis, prefix, [prefix + SEQUENCE_KEY]);
    await redis.publish(invalidationChannel(location.keyPrefix), encodeInvalidation(`cli-${randomUUID()}`, { all: true }));
    return deleted;
  });
}
