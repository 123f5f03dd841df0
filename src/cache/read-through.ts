import { randomBytes } from 'node:crypto';
import type { CacheCodec, CacheStore } from './cache-store.js';
import { cloneValue } from './clone.js';
import { codecs } from './codecs.js';

/** Lets a loader cache a second value it read in the same database trip (same ticket). */
export type Fill = <V>(key: string, value: V, codec: CacheCodec<V>) => Promise<void>;

/**
 * Cache-aside reads over a `CacheStore`, shared by the decorators: cache, then database, then
 * fill; concurrent misses for one key share one database read; misses are never cached
 * (`undefined` from the loader is returned, not stored), so a create needs no invalidation to
 * become visible.
 */
export class ReadThrough {
  readonly #store: CacheStore;
  readonly #inflight = new Map<string, Promise<unknown>>();
  readonly #versionsInflight = new Map<string, Promise<string>>();

  constructor(store: CacheStore) {
    this.#store = store;
    // A load that began before an invalidation must not be joined by readers that came after
    // it: they start a fresh one (the stale one's fill is refused by its ticket).
    store.onInvalidate((event) => {
      if ('all' in event) this.#inflight.clear();
      else for (const key of event.keys) this.#inflight.delete(key);
    });
  }

  /**
   * The cached value of `key`, or what `load` returns (then cached when defined). `namespace`
   * (the key's first segment) is passed, not parsed: this is the hit path.
   */
  async read<T>(
    namespace: string,
    key: string,
    codec: CacheCodec<T>,
    load: (fill: Fill) => Promise<T | undefined>,
  ): Promise<T | undefined> {
    const cached = await this.#store.get(key, codec);
    if (cached !== undefined) {
      this.#store.record(namespace, 'hits');
      return cached;
    }
    this.#store.record(namespace, 'misses');
    let pending = this.#inflight.get(key) as Promise<T | undefined> | undefined;
    if (pending === undefined) {
      pending = this.#load(key, codec, load);
      this.#inflight.set(key, pending);
      const settled = pending;
      const forget = (): void => {
        if (this.#inflight.get(key) === settled) this.#inflight.delete(key);
      };
      settled.then(forget, forget);
    }
    // Every sharer gets its own copy: one caller mutating its result must not affect another.
    return cloneValue(await pending);
  }

  /** Drops `keys` everywhere (see `CacheStore.invalidate`). */
  invalidate(keys: readonly string[]): Promise<void> {
    return this.#store.invalidate(keys);
  }

  /**
   * The current version of a listing namespace; keys built with it go stale together when
   * `bump` replaces it. Versions are random, so an old one never comes back.
   */
  async version(name: string): Promise<string> {
    const key = `${name}:ver`;
    const current = await this.#store.get(key, codecs.version);
    if (current !== undefined) return current;
    let pending = this.#versionsInflight.get(key);
    if (pending === undefined) {
      pending = this.#newVersion(key);
      this.#versionsInflight.set(key, pending);
      const forget = (): void => void this.#versionsInflight.delete(key);
      pending.then(forget, forget);
    }
    return pending;
  }

  /** Makes every key built with the current versions of `names` unreachable. */
  async bump(...names: string[]): Promise<void> {
    for (const name of names) await this.#newVersion(`${name}:ver`);
  }

  async #newVersion(key: string): Promise<string> {
    const version = randomBytes(9).toString('base64url');
    await this.#store.put(key, version, codecs.version);
    return version;
  }

  async #load<T>(key: string, codec: CacheCodec<T>, load: (fill: Fill) => Promise<T | undefined>): Promise<T | undefined> {
    // Taken before the database read: a write that lands during it makes the fills below no-ops.
    const ticket = await this.#store.ticket();
    const fill: Fill = (otherKey, value, otherCodec) => this.#store.fill(otherKey, value, otherCodec, ticket);
    const value = await load(fill);
    if (value !== undefined) await fill(key, value, codec);
    return value;
  }
}
