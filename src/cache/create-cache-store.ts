import { randomUUID } from 'node:crypto';
import type { Logger } from '../repositories/ports.js';
import { CacheCounters } from './cache-counters.js';
import type { CacheBackend, CacheStore } from './cache-store.js';
import { MemoryStore } from './memory-store.js';
import { MemoryTier } from './memory-tier.js';
import { OutageLog } from './outage-log.js';
import { describeRedisTarget } from '../config/redis-url.js';
import { cacheKeyPrefix } from './redis-client.js';
import { openRedisConnection } from './redis-connection.js';
import { encodeInvalidation, invalidationChannel, RedisInvalidationBus } from './redis-invalidation-bus.js';
import { RedisTier } from './redis-tier.js';
import { TieredStore } from './tiered-store.js';

/** Options of `createCacheStore`, mirroring the `cache` and `redis` config sections. */
export interface CacheStoreOptions {
  backend: CacheBackend;
  /** `cache.ttl`: seconds an entry lives (both tiers). */
  ttlSeconds: number;
  /** `cache.max_size`: entries the in-process tier keeps. */
  maxSize: number;
  /** `redis.url`; required by `redis` and `tiered`. */
  redisUrl?: string | null;
  /** `redis.key_prefix`, e.g. `authly:`; the invalidation channel is `<prefix>invalidate`. */
  keyPrefix: string;
  logger: Logger;
  /** Identifies this process on the invalidation channel; default a random UUID. */
  instanceId?: string;
  /** How long an invalidation's tombstone stands in Redis (longer than any database read); default 60 000 ms. */
  tombstoneMs?: number;
  connectTimeoutMs?: number;
  commandTimeoutMs?: number;
  maxRetryDelayMs?: number;
  /** Milliseconds clock for the in-process TTL; default `performance.now`. */
  now?: () => number;
  /** For `memory`: the storage's `externalChanges` (SQLite file), so other processes' commits empty the cache. */
  externalChanges?: () => number;
}

/** A store plus what closes it; `store` is undefined for `backend: none`. */
export interface CacheHandle {
  readonly store: CacheStore | undefined;
  close(): Promise<void>;
}

/**
 * Builds the store `cache.backend` names. Returns at once: Redis connects in the background,
 * and until it answers the store serves misses (reads go to the database).
 * @throws TypeError when `redis`/`tiered` has no `redisUrl` (config validation prevents it).
 */
export function createCacheStore(options: CacheStoreOptions): CacheHandle {
  switch (options.backend) {
    case 'none':
      return { store: undefined, close: async () => undefined };
    case 'memory': {
      const store = new MemoryStore({
        maxSize: options.maxSize,
        ttlSeconds: options.ttlSeconds,
        now: options.now,
        externalChanges: options.externalChanges,
      });
      return { store, close: () => store.close() };
    }
    case 'redis':
    case 'tiered': {
      const store = createRedisBackedStore(options, options.backend === 'tiered');
      return { store, close: () => store.close() };
    }
  }
}

function createRedisBackedStore(options: CacheStoreOptions, tiered: boolean): TieredStore {
  const url = options.redisUrl;
  if (url === undefined || url === null || url === '') {
    throw new TypeError(`cache.backend ${options.backend} needs redis.url`);
  }
  const counters = new CacheCounters();
  const outage = new OutageLog(options.logger, describeRedisTarget(url));
  const instanceId = options.instanceId ?? randomUUID();
  const channel = invalidationChannel(options.keyPrefix);
  const timeouts = {
    connectTimeoutMs: options.connectTimeoutMs,
    commandTimeoutMs: options.commandTimeoutMs,
    maxRetryDelayMs: options.maxRetryDelayMs,
  };
  // Late-bound: the connections report to the store, which needs the connections to exist.
  const late: { store?: TieredStore } = {};
  const commands = openRedisConnection({ url, name: 'commands', outage, ...timeouts, onReady: () => late.store?.connectionChanged() });
  const subscriber = openRedisConnection({ url, name: 'subscriber', outage, ...timeouts });
  const l2 = new RedisTier({
    connection: commands,
    prefix: cacheKeyPrefix(options.keyPrefix, url),
    ttlSeconds: options.ttlSeconds,
    tombstoneMs: options.tombstoneMs ?? 60_000,
    counters,
    outage,
  });
  const bus = new RedisInvalidationBus({
    subscriber,
    channel,
    instanceId,
    onEvent: (event) => late.store?.receive(event),
    onState: () => late.store?.subscriptionChanged(),
  });
  const store = new TieredStore({
    l1: tiered ? new MemoryTier({ maxSize: options.maxSize, ttlSeconds: options.ttlSeconds, counters, now: options.now }) : undefined,
    l2,
    bus,
    counters,
    publish: (event) => l2.publish(channel, encodeInvalidation(instanceId, event)),
    close() {
      subscriber.close();
      commands.close();
    },
  });
  late.store = store;
  return store;
}
