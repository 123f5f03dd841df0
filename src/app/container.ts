import type { Config } from '../config/index.js';
import type { Repositories } from '../repositories/repositories.js';
import type { Clock, Logger } from '../repositories/ports.js';
import type { Storage } from '../storage/storage.js';
import { cacheBackendOf } from './cache-backend.js';
import { storageOptionsFrom } from './storage-options.js';
import { openStorage } from './storage.js';
import { createCacheStore, warmUp, withCache, type CacheStats } from '../cache/index.js';

/** What the process runs on: configuration, logging, storage and the repositories services use. */
export interface Container {
  readonly config: Config;
  readonly logger: Logger;
  readonly storage: Storage;
  /** The repositories services receive (cached or not, they cannot tell). */
  readonly repositories: Repositories;
  /** Hit, miss, eviction and error counters per cached namespace; `undefined` without a cache. */
  cacheStats(): CacheStats | undefined;
  /** Releases everything the container opened; idempotent. */
  close(): Promise<void>;
}

/** Dependencies the caller owns (the logger outlives the container). */
export interface ContainerDeps {
  logger: Logger;
  /** Drives the in-process cache's expiry too (tests inject one); default the system clock. */
  clock?: Clock;
  /** Each database statement's duration in seconds (metrics). */
  onQuery?: (seconds: number) => void;
}

/**
 * The composition root: opens the configured storage, applies pending migrations
 * when `database.migrate_on_start` is set, and assembles the repositories.
 * @throws StorageOpenError when the database cannot be opened.
 */
export async function createContainer(config: Config, deps: ContainerDeps): Promise<Container> {
  const { logger } = deps;
  const storage = await openStorage(storageOptionsFrom(config), { logger, ...(deps.onQuery ? { onQuery: deps.onQuery } : {}) });
  try {
    if (config.database.migrate_on_start) await migrateOnStart(storage, logger);
  } catch (error) {
    await storage.close();
    throw error;
  }

  // The one place repositories are chosen: the cache decorators wrap them here.
  const cache = createCacheStore({
    backend: cacheBackendOf(config),
    ttlSeconds: config.cache.ttl,
    maxSize: config.cache.max_size,
    redisUrl: config.redis.url,
    keyPrefix: config.redis.key_prefix,
    logger,
    ...(storage.externalChanges ? { externalChanges: storage.externalChanges } : {}),
    ...(deps.clock === undefined ? {} : { now: () => deps.clock!.now().getTime() }),
  });
  const repositories: Repositories = cache.store ? withCache(storage.repositories, { store: cache.store }) : storage.repositories;
  try {
    if (cache.store) {
      // Until Redis confirms the subscription nothing is cached, so a warm-up before it would fill nothing.
      await cache.store.ready(CACHE_READY_TIMEOUT_MS);
      if (config.cache.warm_up) await warmUp(repositories);
    }
  } catch (error) {
    await cache.close();
    await storage.close();
    throw error;
  }

  let closed = false;
  return {
    config,
    logger,
    storage,
    repositories,
    cacheStats: () => cache.store?.stats(),
    async close() {
      if (closed) return;
      closed = true;
      await cache.close();
      await storage.close();
    },
  };
}

/** How long start-up waits for the Redis subscription before serving from the database. */
const CACHE_READY_TIMEOUT_MS = 2000;

async function migrateOnStart(storage: Storage, logger: Logger): Promise<void> {
  const report = await storage.migrate();
  if (report.adoptedBaseline) logger.info({ backend: storage.backend }, 'adopted existing Authly schema');
  if (report.applied.length > 0) logger.info({ migrations: report.applied }, 'applied migrations');
}
