/**
 * The cache layer: a `CacheStore` port with memory, Redis and tiered stores,
 * decorators that wrap the read-mostly repositories, warm-up, and Redis admin helpers for the CLI.
 */
export type { CacheBackend, CacheCodec, CacheStore, Invalidation } from './cache-store.js';
export type { CacheStats, NamespaceStats } from './cache-counters.js';
export { createCacheStore, type CacheHandle, type CacheStoreOptions } from './create-cache-store.js';
export { withCache, type WithCacheOptions } from './with-cache.js';
export { warmUp, type WarmUpOptions, type WarmUpReport } from './warm-up.js';
export { countCachedKeys, flushCachedKeys, type RedisCacheLocation } from './redis-admin.js';
