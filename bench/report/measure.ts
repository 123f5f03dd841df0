/** Latency sampling for the report's tables: medians, p99 and operations per second. */

/** One measured cell. */
export interface Timing {
  /** Milliseconds. */
  median: number;
  /** Milliseconds (nearest rank). */
  p99: number;
  opsPerSecond: number;
  samples: number;
}

/** The `q`-quantile (0..1) of `sorted` by nearest rank. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank]!;
}

/** Median, p99 and rate of `latencies` (ms), `units` done in `elapsedMs` of wall time. */
export function timing(latencies: number[], elapsedMs: number, units = latencies.length): Timing {
  const sorted = [...latencies].sort((a, b) => a - b);
  return { median: quantile(sorted, 0.5), p99: quantile(sorted, 0.99), opsPerSecond: units / (elapsedMs / 1000), samples: latencies.length };
}

/** Runs `op(i)` `warmup` times untimed, then `count` times one after the other, each timed. */
export async function sequential(op: (i: number) => Promise<unknown>, count: number, warmup: number): Promise<Timing> {
  for (let i = 0; i < warmup; i++) await op(i);
  const latencies: number[] = [];
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    await op(warmup + i);
    latencies.push(performance.now() - t0);
  }
  return timing(latencies, performance.now() - started);
}

/**
 * Keeps `inFlight` calls of `op` running until `count` have completed, each timed from its
 * start to its end (so queueing inside the backend or its pool counts), after `warmup` untimed calls.
 */
export async function concurrent(op: (i: number) => Promise<unknown>, count: number, inFlight: number, warmup: number): Promise<Timing> {
  for (let i = 0; i < warmup; i++) await op(i);
  const latencies: number[] = [];
  let next = 0;
  async function worker(): Promise<void> {
    while (next < count) {
      const i = next++;
      const t0 = performance.now();
      await op(warmup + i);
      latencies.push(performance.now() - t0);
    }
  }
  const started = performance.now();
  await Promise.all(Array.from({ length: Math.min(inFlight, count) }, worker));
  return timing(latencies, performance.now() - started);
}
