/** A counter's value and how long until its window ends. */
export interface ThrottleCount {
  count: number;
  resetInMs: number;
}

/** The answer to {@link ThrottleStore.reserve}: whether a slot was taken, and the counter after it. */
export interface ThrottleReservation extends ThrottleCount {
  reserved: boolean;
}

/**
 * Where rate-limit and lockout counters live: in process ({@link MemoryThrottleStore}) or in
 * Redis (`cache/redis-throttle-store.ts`), so limits hold across instances.
 * Counters use fixed windows: the first increment starts the window.
 */
export interface ThrottleStore {
  /** Adds one; a new counter expires after `windowMs`. */
  increment(key: string, windowMs: number): Promise<ThrottleCount>;
  /**
   * Check and increment as one atomic step: adds one only while the counter is below `max`
   * (a new counter expires after `windowMs`). Concurrent callers can never take more than
   * `max` slots between them, which a `peek` followed by an `increment` could.
   */
  reserve(key: string, max: number, windowMs: number): Promise<ThrottleReservation>;
  /** Gives one reserved slot back (never below zero); a missing counter stays missing. */
  release(key: string): Promise<void>;
  /** The live counter, if any. */
  peek(key: string): Promise<ThrottleCount | undefined>;
  delete(key: string): Promise<void>;
  close(): Promise<void>;
}

interface Entry {
  count: number;
  expiresAt: number;
}

/** Options of {@link MemoryThrottleStore}. */
export interface MemoryThrottleStoreOptions {
  /** Milliseconds clock; injected so windows are testable without sleeping. */
  now: () => number;
  /** Counters kept at most; beyond it expired ones are swept, then the oldest dropped. */
  maxEntries?: number;
}

/** Per-process counters: a Map with expiry, bounded so a flood of addresses cannot exhaust memory. */
export class MemoryThrottleStore implements ThrottleStore {
  readonly #entries = new Map<string, Entry>();
  readonly #now: () => number;
  readonly #maxEntries: number;

  constructor(options: MemoryThrottleStoreOptions) {
    this.#now = options.now;
    this.#maxEntries = options.maxEntries ?? 100_000;
  }

  async increment(key: string, windowMs: number): Promise<ThrottleCount> {
    return this.#increment(key, windowMs, this.#now());
  }

  // Synchronous from the check to the increment: one turn of the event loop, so atomic.
  async reserve(key: string, max: number, windowMs: number): Promise<ThrottleReservation> {
    const now = this.#now();
    const entry = this.#live(key, now);
    if (entry && entry.count >= max) return { reserved: false, count: entry.count, resetInMs: entry.expiresAt - now };
    return { reserved: true, ...this.#increment(key, windowMs, now) };
  }

  async release(key: string): Promise<void> {
    const entry = this.#live(key, this.#now());
    if (entry && entry.count > 0) entry.count -= 1;
  }

  async peek(key: string): Promise<ThrottleCount | undefined> {
    const now = this.#now();
    const entry = this.#live(key, now);
    return entry && { count: entry.count, resetInMs: entry.expiresAt - now };
  }

  async delete(key: string): Promise<void> {
    this.#entries.delete(key);
  }

  async close(): Promise<void> {
    this.#entries.clear();
  }

  #increment(key: string, windowMs: number, now: number): ThrottleCount {
    let entry = this.#live(key, now);
    if (!entry) {
      this.#makeRoom(now);
      entry = { count: 0, expiresAt: now + windowMs };
      this.#entries.set(key, entry);
    }
    entry.count += 1;
    return { count: entry.count, resetInMs: entry.expiresAt - now };
  }

  #live(key: string, now: number): Entry | undefined {
    const entry = this.#entries.get(key);
    if (entry && entry.expiresAt <= now) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry;
  }

  #makeRoom(now: number): void {
    if (this.#entries.size < this.#maxEntries) return;
    for (const [key, entry] of this.#entries) if (entry.expiresAt <= now) this.#entries.delete(key);
    // Still full: drop the oldest windows (Map keeps insertion order).
    for (const key of this.#entries.keys()) {
      if (this.#entries.size < this.#maxEntries) break;
      this.#entries.delete(key);
    }
  }
}
