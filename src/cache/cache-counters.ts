/** Counters of one namespace. */
export interface NamespaceStats {
  hits: number;
  misses: number;
  evictions: number;
  errors: number;
}

/** Counters per namespace (`clients`, `scopes`, `users`, `keys`), for a metrics endpoint. */
export type CacheStats = Record<string, NamespaceStats>;

/** A counter name. */
export type CounterName = keyof NamespaceStats;

/**
 * Monotonic counters per namespace. Plain numbers: one event loop increments them, and a
 * metrics scrape only needs a consistent-enough snapshot.
 */
export class CacheCounters {
  readonly #byNamespace = new Map<string, NamespaceStats>();

  /** Adds one to `counter` of `namespace`. */
  record(namespace: string, counter: CounterName): void {
    let stats = this.#byNamespace.get(namespace);
    if (stats === undefined) {
      stats = { hits: 0, misses: 0, evictions: 0, errors: 0 };
      this.#byNamespace.set(namespace, stats);
    }
    stats[counter] += 1;
  }

  /** A copy of every namespace's counters. */
  snapshot(): CacheStats {
    const out: CacheStats = {};
    for (const [namespace, stats] of this.#byNamespace) out[namespace] = { ...stats };
    return out;
  }
}
