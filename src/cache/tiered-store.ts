import type { CacheCounters, CacheStats } from './cache-counters.js';
import type { CacheCodec, CacheStore, FillTicket, Invalidation } from './cache-store.js';
import { InvalidationBacklog } from './invalidation-backlog.js';
import { InvalidationLog } from './invalidation-log.js';
import { Listeners } from './listeners.js';
import type { MemoryTier } from './memory-tier.js';
import type { RedisTier } from './redis-tier.js';

/** The pub/sub side as this store needs it. */
export interface InvalidationBus {
  readonly subscribed: boolean;
}

/** Parts of a Redis-backed store, built by `createCacheStore`. */
export interface TieredStoreParts {
  /** The L1; absent for `cache.backend: redis`. */
  l1?: MemoryTier;
  l2: RedisTier;
  bus: InvalidationBus;
  counters: CacheCounters;
  /** Publishes an invalidation to the other instances. */
  publish(event: Invalidation): Promise<boolean>;
  /** Closes the connections. */
  close(): void;
}

/**
 * `cache.backend: tiered` (memory L1 over Redis L2) and `redis` (L2 only). L1 is used only while
 * the invalidation subscription is up: an instance that might miss an event must not answer from
 * its own memory. When the subscription comes back, L1 starts empty.
 */
export class TieredStore implements CacheStore {
  readonly backend: 'redis' | 'tiered';
  readonly #p: TieredStoreParts;
  readonly #log = new InvalidationLog();
  readonly #backlog = new InvalidationBacklog();
  readonly #listeners = new Listeners<Invalidation>();
  readonly #stateListeners = new Listeners<void>();
  #closed = false;

  constructor(parts: TieredStoreParts) {
    this.#p = parts;
    this.backend = parts.l1 === undefined ? 'redis' : 'tiered';
  }

  /** Applies another instance's invalidation (wired to the bus by `createCacheStore`). */
  receive(event: Invalidation): void {
    this.#applyLocally(event);
  }

  /** The subscription went up or down (wired to the bus). */
  subscriptionChanged(): void {
    // Down: L1 is bypassed from now on, and emptied. Up: whatever happened while we were not
    // listening is unknown, so L1 starts empty again. Either way, fills whose database read
    // began before this point are refused, and listeners hear an invalidation of everything.
    this.#applyLocally({ all: true });
    this.#stateListeners.emit();
  }

  /** The L2 connection became ready (wired by `createCacheStore`). */
  connectionChanged(): void {
    this.#stateListeners.emit();
    if (!this.#backlog.empty) void this.#replay();
  }

  async get<T>(key: string, codec: CacheCodec<T>): Promise<T | undefined> {
    if (!this.#backlog.empty) {
      // A write Redis missed: it may still hold the old value, so the database answers.
      if (this.#p.l2.ready) void this.#replay();
      return undefined;
    }
    const l1 = this.#l1();
    if (l1 !== undefined) {
      const hit = l1.get<T>(key);
      if (hit !== undefined) return hit;
    }
    const ticket = this.#log.ticket();
    const value = await this.#p.l2.get(key, codec);
    // Re-check after the await: the subscription may have dropped, or an event for this key
    // may have arrived while the L2 read was in flight.
    if (value !== undefined && !this.#log.invalidatedSince(key, ticket)) this.#l1()?.set(key, value);
    return value;
  }

  async ticket(): Promise<FillTicket> {
    const local = this.#log.ticket();
    const shared = await this.#p.l2.sequence();
    return shared === undefined ? { local } : { local, shared };
  }

  async fill<T>(key: string, value: T, codec: CacheCodec<T>, ticket: FillTicket): Promise<void> {
    // Without a shared ticket (Redis did not answer) nothing is filled: L1 only caches what L2 holds.
    if (ticket.shared === undefined || !this.#backlog.empty || this.#log.invalidatedSince(key, ticket.local)) return;
    const outcome = await this.#p.l2.fill(key, value, codec, ticket.shared);
    // Only what Redis accepted goes into L1: a refusal may mean another instance's write made
    // our row stale.
    if (outcome === 'stored' && !this.#log.invalidatedSince(key, ticket.local)) this.#l1()?.set(key, value);
  }

  async put<T>(key: string, value: T, codec: CacheCodec<T>): Promise<void> {
    const stored = await this.#p.l2.put(key, value, codec);
    this.#log.record([key]);
    if (stored) this.#l1()?.set(key, value);
    else this.#l1()?.delete([key]);
    await this.#shared({ keys: [key] }, stored);
  }

  async invalidate(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    // Order matters: tombstone L2 first, then drop L1, so a local reader cannot copy the old L2
    // value into L1 after we dropped it (its ticket predates the log entry made below).
    const tombstoned = await this.#p.l2.tombstone(keys);
    this.#applyLocally({ keys });
    await this.#shared({ keys }, tombstoned);
  }

  async flush(): Promise<void> {
    const flushed = (await this.#p.l2.flush()) !== undefined;
    this.#applyLocally({ all: true });
    await this.#shared({ all: true }, flushed);
  }

  onInvalidate(listener: (event: Invalidation) => void): () => void {
    return this.#listeners.add(listener);
  }

  record(namespace: string, counter: 'hits' | 'misses' | 'errors'): void {
    this.#p.counters.record(namespace, counter);
  }

  stats(): CacheStats {
    return this.#p.counters.snapshot();
  }

  ready(timeoutMs = 2000): Promise<boolean> {
    const isReady = (): boolean => this.#p.l2.ready && this.#p.bus.subscribed && this.#backlog.empty;
    if (isReady()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => finish(false), timeoutMs);
      const stop = this.#stateListeners.add(() => {
        if (isReady()) finish(true);
      });
      function finish(result: boolean): void {
        clearTimeout(timer);
        stop();
        resolve(result);
      }
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#p.l1?.clear();
    this.#p.close();
  }

  /** Publishes `event`; if that or the L2 change (`applied`) failed, queues it for replay. */
  async #shared(event: Invalidation, applied: boolean): Promise<void> {
    const published = applied && (await this.#p.publish(event));
    if (!published) this.#backlog.add(event);
  }

  /** Re-sends invalidations Redis missed; the cache is usable again once none is left. */
  async #replay(): Promise<void> {
    await this.#backlog.replay(async (event) => {
      const applied = 'all' in event ? (await this.#p.l2.flush()) !== undefined : await this.#p.l2.tombstone(event.keys);
      return applied && (await this.#p.publish(event));
    });
    if (this.#backlog.empty) this.#stateListeners.emit();
  }

  /** L1, only while no invalidation can be missed. */
  #l1(): MemoryTier | undefined {
    return this.#p.bus.subscribed ? this.#p.l1 : undefined;
  }

  #applyLocally(event: Invalidation): void {
    if ('all' in event) {
      this.#log.recordAll();
      this.#p.l1?.clear();
    } else {
      this.#log.record(event.keys);
      this.#p.l1?.delete(event.keys);
    }
    this.#listeners.emit(event);
  }
}
