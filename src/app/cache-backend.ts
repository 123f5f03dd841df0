import type { CacheBackend } from '../cache/cache-store.js';
import type { Config } from '../config/index.js';

/**
 * The cache a configuration runs with. `auto` picks the fastest one that stays coherent: `tiered`
 * when Redis is configured (invalidations travel over it); otherwise `memory` on SQLite, where
 * the store compares `PRAGMA data_version` before each read and so sees other processes' commits;
 * and `none` on PostgreSQL without Redis, where another instance's writes could not be seen.
 */
export function cacheBackendOf(config: Pick<Config, 'cache' | 'redis' | 'database'>): CacheBackend {
  const configured = config.cache.backend;
  if (configured !== 'auto') return configured;
  if (config.redis.url) return 'tiered';
  return config.database.backend === 'postgresql' ? 'none' : 'memory';
}
