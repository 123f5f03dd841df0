import { CacheCounters, type CacheStats } from './cache-counters.js';
import type { CacheCodec, CacheStore, FillTicket, Invalidation } from './cache-store.js';
import { InvalidationLog } from './invalidation-log.js';
import { Listeners } from './listeners.js';
import { MemoryTier } from './memory-tier.js';

/** No version read yet in this turn of the event loop. */
const UNREAD = Symbol('unread');

/** Taken at load, so a test's fake timers cannot hold the version of one turn forever. */
const nextTurn = setImmediate;

/** Options of the `memory` backend. */
export interface MemoryStoreOptions {
  maxSize: number;
  ttlSeconds: number;
  /** Milliseconds since some origin, for TTLs; defaults to `performance.now`. */
  now?: () => number;
  /**
   * A number that changes when another process commits to the database this cache fronts (SQLite's
   * `PRAGMA data_version`). When given, reads compare it first (once per turn of the event loop)
   * and a change empties the cache, so several processes on one SQLite file stay coherent without
   * any channel between them.
   */
  externalChanges?: () => number;
}

/**
 * `cache.backend: memory`: one process, one LRU. Nothing is shared: with `externalChanges` (a
 * SQLite file) it empties itself whenever another process has committed, so it stays coherent for
 * several instances on one file; without it, it is coherent only for a single instance (use
 * `tiered` when several instances share a PostgreSQL database).
 */
export class MemoryStore implements CacheStore {
  readonly backend = 'memory';
  readonly #counters = new CacheCounters();
  readonly #tier: MemoryTier;
  readonly #log = new InvalidationLog();
  readonly #listeners = new Listeners<Invalidation>();
  readonly #externalChanges: (() => number) | undefined;
  #seenVersion: number | undefined;
  #turnVersion: number | undefined | typeof UNREAD = UNREAD;

  constructor(options: MemoryStoreOptions) {
    this.#tier = new MemoryTier({ ...options, counters: this.#counters });
    this.#externalChanges = options.externalChanges;
    this.#seenVersion = this.#readVersion();
  }

  async get<T>(key: string, _codec: CacheCodec<T>): Promise<T | undefined> {
    if (!this.#current()) return undefined;
    return this.#tier.get<T>(key);
  }

  async ticket(): Promise<FillTicket> {
    this.#current();
    return { local: this.#log.ticket() };
  }

  async fill<T>(key: string, value: T, _codec: CacheCodec<T>, ticket: FillTicket): Promise<void> {
    // A commit by another process between the ticket and now may have changed what was read:
    // `#current` then records a flush, which refuses every older ticket.
    if (this.#current() && !this.#log.invalidatedSince(key, ticket.local)) this.#tier.set(key, value);
  }

  /**
   * The external version, read at most once per turn of the event loop and remembered until the
   * next turn (`setImmediate` runs once the current turn's callbacks and their promise chains are
   * done, before the next turn's I/O callbacks). This stays coherent: a commit by another process
   * is seen by every request that starts in a later turn, as the turn's first look reads the
   * version afresh; a request that runs in the same turn as that commit is served as if it had
   * run just before it, which it could have. This process's own writes never wait for a turn:
   * they invalidate (`invalidate`, `put`, `flush`) directly, and SQLite does not count them in
   * `data_version` anyway. Read on every get, ticket and fill, the pragma cost more than the cache
   * lookups it guarded.
   */
  #readVersion(): number | undefined {
    if (this.#turnVersion !== UNREAD) return this.#turnVersion;
    let version: number | undefined;
    try {
      version = this.#externalChanges?.();
    } catch {
      version = undefined;
    }
    this.#turnVersion = version;
    nextTurn(this.#forgetVersion);
    return version;
  }

  readonly #forgetVersion = (): void => {
    this.#turnVersion = UNREAD;
  };

  /**
   * Empties the cache when another process committed since the last look; false when the version
   * cannot be read (the database is closed or failing), so nothing is served or stored.
   */
  #current(): boolean {
    if (this.#externalChanges === undefined) return true;
    const version = this.#readVersion();
    if (version !== undefined && version === this.#seenVersion) return true;
    this.#seenVersion = version;
    this.#log.recordAll();
    this.#tier.clear();
    this.#listeners.emit({ all: true });
    return version !== undefined;
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
