import { afterAll, describe, expect, it } from 'vitest';
import { createCacheStore } from '../../src/cache/create-cache-store.js';
import { canRunRedisServers, startRedisCluster } from '../helpers/redis-servers.js';
import { recordingLogger, uniquePrefix } from './stacks.js';

/*
 * The Redis suites again, against a three-node Redis Cluster this file starts (and stops): the
 * shared tier's Lua scripts (cache keys share the `{cache}` hash tag), pub/sub invalidation
 * between instances, flush and `authly cache stats|flush` over every primary, and the shared
 * rate-limit counters. The suites
 * read AUTHLY_TEST_REDIS_URL when first imported, so it is set before they are.
 */
const cluster = canRunRedisServers ? await startRedisCluster() : undefined;
if (cluster) process.env.AUTHLY_TEST_REDIS_URL = cluster.url;
afterAll(async () => {
  await cluster?.stop();
});

describe.skipIf(!cluster)('the Redis Cluster under test', () => {
  it('is a cluster URL', () => {
    expect(process.env.AUTHLY_TEST_REDIS_URL).toMatch(/^redis-cluster:\/\/127\.0\.0\.1:\d+,127\.0\.0\.1:\d+,127\.0\.0\.1:\d+$/);
  });

  it('subscribes to invalidations through the next seed node when the first is gone', async () => {
    // Port 1 refuses connections: the invalidation subscriber must move on to a live node.
    const url = cluster!.url.replace('redis-cluster://', 'redis-cluster://127.0.0.1:1,');
    const handle = createCacheStore({
      backend: 'tiered',
      ttlSeconds: 60,
      maxSize: 100,
      redisUrl: url,
      keyPrefix: uniquePrefix(),
      logger: recordingLogger(),
      maxRetryDelayMs: 100,
    });
    try {
      expect(await handle.store!.ready(10_000)).toBe(true);
    } finally {
      await handle.close();
    }
  });
});

if (cluster) {
  await import('./redis-store.test.js');
  await import('./coherence.test.js');
  await import('./cli-cache.test.js');
  await import('../protection/redis-shared.test.js');
}
