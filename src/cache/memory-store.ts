import { CacheCounters, type CacheStats } from './cache-counters.js';
import type { CacheCodec, CacheStore, FillTicket, Invalidation } from './cache-store.js';
import { InvalidationLog } from './invalidation-log.js';
import { Listeners } from './listeners.js';
import { MemoryTier } from './memory-tier.js';

/** Options of the `memory` backend. */
export interface MemoryStoreOptions {
  maxSize: number;
  ttlSeconds: number;
  /** Milliseconds since some origin, for TTLs; defaults to `performance.now`. */
  now?: () => number;
}

/**
 * `cache.backend: memory`: one process, one LRU. Nothing is shared, so it is coherent only for a
 * single instance; use `tiered` when several instances share a database.
 */
export class MemoryStore implements CacheStore {
  readonly backend = 'memory';
  readonly #counters = new CacheCounters();
  readonly #tier: MemoryTier;
  readonly #log = new InvalidationLog();
  readonly #listeners = new Listeners<Invalidation>();

  constructor(options: MemoryStoreOptions) {
    this.#tier = new MemoryTier({ ...options, counters: this.#counters });
  }

  async get<T>(key: string, _codec: CacheCodec<T>): Promise<T | undefined> {
    return this.#tier.get<T>(key);
  }

  async ticket(): Promise<FillTicket> {
    return { local: this.#log.ticket() };
  }

  async fill<T>(key: string, value: T, _codec: CacheCodec<T>, ticket: FillTicket): Promise<void> {
    if (!this.#log.invalidatedSince(key, ticket.local)) this.#tier.set(key, value);
  }

  async put<T>(key: string, value: T, _codec: CacheCodec<T>): Promise<void> {
    this.#log.record([key]);
    this.#tier.set(key, value);
  }

  async invalidate(keys: readonly string[]): Promise<void> {
    this.#log.record(keys);
    this.#tier.delete(keys);
    this.#listeners.emit({ keys });
  }

  async flush(): Promise<void> {
    this.#log.recordAll();
    this.#tier.clear();
    this.#listeners.emit({ all: true });
  }

  onInvalidate(listener: (event: Invalidation) => void): () => void {
    return this.#listeners.add(listener);
  }

  record(namespace: string, counter: 'hits' | 'misses' | 'errors'): void {
    this.#counters.record(namespace, counter);
  }

  stats(): CacheStats {
    return this.#counters.snapshot();
  }

  async ready(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {
    this.#tier.clear();
  }
}
