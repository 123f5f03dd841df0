import { LRUCache } from 'lru-cache';
import type { CacheCounters } from './cache-counters.js';
import { namespaceOf } from './cache-store.js';
import { clonerFor, type Cloner } from './clone.js';
import { entryTtlSeconds } from './keys.js';

/** A stored copy and the copier compiled for its shape. */
interface Entry {
  value: unknown;
  clone: Cloner<unknown>;
}

/** Options of the in-process tier. */
export interface MemoryTierOptions {
  /** Entries kept; the least recently used one is evicted beyond it. */
  maxSize: number;
  ttlSeconds: number;
  counters: CacheCounters;
  /** Milliseconds since some origin; injected so expiry is testable without sleeping. */
  now?: () => number;
}

/**
 * The synchronous LRU under both the `memory` store and the L1 of the `tiered` store. It keeps
 * live objects (no encoding: a hit costs a copy, not a parse) and copies them in and out.
 */
export class MemoryTier {
  readonly #lru: LRUCache<string, Entry>;
  readonly #ttlSeconds: number;

  constructor(options: MemoryTierOptions) {
    const { counters } = options;
    this.#ttlSeconds = options.ttlSeconds;
    this.#lru = new LRUCache<string, Entry>({
      max: options.maxSize,
      ttl: options.ttlSeconds * 1000,
      // Expired entries are dropped when touched; no timers, so closing needs nothing.
      ttlAutopurge: false,
      // An injected clock is read on every access (lru-cache otherwise memoizes `now` for 1 ms).
      ...(options.now === undefined ? {} : { perf: { now: options.now }, ttlResolution: 0 }),
      dispose: function countEviction(_value, key, reason) {
        if (reason === 'evict') counters.record(namespaceOf(key), 'evictions');
      },
    });
  }

  /** A copy of the cached value, or `undefined`. */
  get<T>(key: string): T | undefined {
    const entry = this.#lru.get(key);
    return entry === undefined ? undefined : (entry.clone(entry.value) as T);
  }

  /** Stores a copy of `value`. */
  set(key: string, value: unknown): void {
    const clone = clonerFor(value);
    this.#lru.set(key, { value: clone(value), clone }, { ttl: entryTtlSeconds(key, this.#ttlSeconds) * 1000 });
  }

  delete(keys: readonly string[]): void {
    for (const key of keys) this.#lru.delete(key);
  }

  clear(): void {
    this.#lru.clear();
  }

  /** Entries currently held (expired ones included until touched). */
  get size(): number {
    return this.#lru.size;
  }
}
