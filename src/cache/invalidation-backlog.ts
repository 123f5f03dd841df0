import type { Invalidation } from './cache-store.js';

/**
 * Invalidations Redis did not take (a write during an outage). Until they are replayed, Redis
 * may still hold the old values, so the store must not read from it; replaying them (tombstone
 * and publish again) once Redis answers makes the cache usable again.
 */
export class InvalidationBacklog {
  readonly #keys = new Set<string>();
  #all = false;
  #replaying: Promise<void> | undefined;

  /** True when nothing is waiting. */
  get empty(): boolean {
    return !this.#all && this.#keys.size === 0;
  }

  /** Remembers an invalidation that did not reach Redis. */
  add(event: Invalidation): void {
    if ('all' in event) this.#all = true;
    else for (const key of event.keys) this.#keys.add(key);
  }

  /**
   * Sends what is waiting through `send` (which answers whether Redis took it); one replay at a
   * time. What arrives during a replay waits for the next one.
   */
  replay(send: (event: Invalidation) => Promise<boolean>): Promise<void> {
    this.#replaying ??= this.#drain(send).finally(() => {
      this.#replaying = undefined;
    });
    return this.#replaying;
  }

  async #drain(send: (event: Invalidation) => Promise<boolean>): Promise<void> {
    if (this.#all) {
      this.#all = false;
      if (!(await send({ all: true }))) {
        this.#all = true;
        return;
      }
    }
    if (this.#keys.size === 0) return;
    const keys = [...this.#keys];
    for (const key of keys) this.#keys.delete(key);
    if (!(await send({ keys }))) for (const key of keys) this.#keys.add(key);
  }
}
