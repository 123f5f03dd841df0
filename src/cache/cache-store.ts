import type { CacheStats } from './cache-counters.js';

/** Which store backs the cache; `none` means the repositories are not wrapped at all. */
export type CacheBackend = 'none' | 'memory' | 'redis' | 'tiered';

/**
 * How one kind of value crosses a process boundary. The memory tier keeps live objects and never
 * calls it; Redis stores `encode`d text and `decode`s it back into domain objects (Dates as Dates).
 */
export interface CacheCodec<T> {
  /** Names the value's kind and layout version, e.g. `client/1`; a different tag is a foreign value. */
  readonly tag: string;
  encode(value: T): string;
  /** The value, or `undefined` when the text is corrupt or not of this kind (treated as a miss). */
  decode(text: string): T | undefined;
}

/** What an invalidation covers: some keys, or everything (a flush, or a re-established subscription). */
export type Invalidation = { readonly keys: readonly string[] } | { readonly all: true };

/**
 * Taken before a database read and handed to `fill`: a fill is skipped when the key was
 * invalidated after the ticket, so a slow read can never put back a value a write replaced.
 * `local` orders this process's invalidations; `shared` orders every instance's (a Redis
 * counter), absent for the memory store or when Redis did not answer.
 */
export interface FillTicket {
  readonly local: number;
  readonly shared?: number;
}

/**
 * The cache port the decorators use. Keys are logical (`clients:id:<uuid>`); a
 * store adds its own prefix. No method throws for a cache failure: a failing store logs, counts
 * an error and behaves as a miss, so reads fall through to the database.
 */
export interface CacheStore {
  readonly backend: Exclude<CacheBackend, 'none'>;
  /** The cached value (a private copy the caller may mutate), or `undefined` on a miss. */
  get<T>(key: string, codec: CacheCodec<T>): Promise<T | undefined>;
  /** A ticket to take before reading the database, to pass to `fill` after. */
  ticket(): Promise<FillTicket>;
  /**
   * Caches a value read from the database, unless the key was invalidated (here or by another
   * instance) since `ticket`, or a shared tier already holds a value for it. Never overwrites.
   */
  fill<T>(key: string, value: T, codec: CacheCodec<T>, ticket: FillTicket): Promise<void>;
  /** Stores a value this process made up (a namespace version), replacing any other instance's copy. */
  put<T>(key: string, value: T, codec: CacheCodec<T>): Promise<void>;
  /** Drops the keys here, in the shared tier and (via pub/sub) in every other instance's L1. */
  invalidate(keys: readonly string[]): Promise<void>;
  /** Drops every key (local and shared, under this store's prefix) and tells the other instances. */
  flush(): Promise<void>;
  /**
   * Calls `listener` after every invalidation this store applies, local or received from another
   * instance. Returns an unsubscribe function.
   */
  onInvalidate(listener: (event: Invalidation) => void): () => void;
  /** Counts a hit or miss seen by a reader (stores count evictions and errors themselves). */
  record(namespace: string, counter: 'hits' | 'misses' | 'errors'): void;
  /** Hits, misses, evictions and errors per namespace since start. */
  stats(): CacheStats;
  /**
   * Resolves `true` once every tier is usable (for tiered: subscribed, so L1 is in use), or
   * `false` after `timeoutMs`. Reads work before that; they just skip what is not ready.
   */
  ready(timeoutMs?: number): Promise<boolean>;
  /** Closes connections; idempotent. */
  close(): Promise<void>;
}

/** The namespace of a logical key: its first segment (`clients:id:…` → `clients`; also `users`, `scopes`, `signingKeys`), for counters. */
export function namespaceOf(key: string): string {
  const end = key.indexOf(':');
  return end === -1 ? key : key.slice(0, end);
}
