/**
 * Remembers when each key was last invalidated, so a fill that started before an invalidation
 * can be refused (the classic cache-aside race: read old row, write lands, stale fill). Bounded:
 * when an old key is forgotten, its sequence becomes a floor that every older ticket fails.
 */
export class InvalidationLog {
  readonly #limit: number;
  #sequence = 0;
  /** Tickets at or below this sequence are refused for every key. */
  #floor = 0;
  readonly #lastByKey = new Map<string, number>();

  /** `limit` bounds the keys remembered; a larger value only refuses fewer fills needlessly. */
  constructor(limit = 10_000) {
    this.#limit = limit;
  }

  /** The current sequence, taken before a database read. */
  ticket(): number {
    return this.#sequence;
  }

  /** Records that `keys` were invalidated now. */
  record(keys: readonly string[]): void {
    for (const key of keys) {
      this.#sequence += 1;
      // Re-insert so Map order is oldest-invalidated first, for eviction below.
      this.#lastByKey.delete(key);
      this.#lastByKey.set(key, this.#sequence);
    }
    while (this.#lastByKey.size > this.#limit) {
      const [oldest, sequence] = this.#lastByKey.entries().next().value as [string, number];
      this.#lastByKey.delete(oldest);
      this.#floor = Math.max(this.#floor, sequence);
    }
  }

  /** Records that everything was invalidated now (flush, or a gap in the event stream). */
  recordAll(): void {
    this.#sequence += 1;
    this.#floor = this.#sequence;
    this.#lastByKey.clear();
  }

  /** True when `key` was invalidated after `ticket` was taken. */
  invalidatedSince(key: string, ticket: number): boolean {
    if (ticket < this.#floor) return true;
    const last = this.#lastByKey.get(key);
    return last !== undefined && last > ticket;
  }
}
