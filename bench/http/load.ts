/**
 * Drives a workload's steps against one server with autocannon (programmatic API, in the bench
 * process; every server runs in a child process of its own). Counts units (whole passes through
 * the steps), failures (a step whose answer was not the real thing, a socket error, a timeout) and
 * each unit's latency, measured from the moment its first request is built to its last answer.
 */
import autocannon from 'autocannon';
import type { FlowState, ResponseHeaders, Step } from './steps.js';

/** What one timed run measured. */
export interface LoadResult {
  /** Completed units per second. */
  perSecond: number;
  /** Unit latency percentiles, in milliseconds. */
  p50: number;
  p99: number;
  units: number;
  /** Units that failed a check, plus socket errors and timeouts. */
  failures: number;
  /** failures ÷ (units + failures). */
  failureRate: number;
  seconds: number;
  /** A few distinct failing answers, to tell why a row is invalid. */
  samples: string[];
}

interface Context extends FlowState {
  failed?: boolean;
  startedAt?: number;
}

/** Percentile of sorted `values` (nearest rank). */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

function lowerCaseHeaders(headers: Record<string, unknown>): ResponseHeaders {
  const out: ResponseHeaders = {};
  for (const [name, value] of Object.entries(headers)) out[name.toLowerCase()] = value as string | string[];
  return out;
}

/** Runs `steps` on `url` with `connections` keep-alive connections for `seconds`. */
export async function runLoad(url: string, steps: Step[], options: { connections: number; seconds: number }): Promise<LoadResult> {
  const latencies: number[] = [];
  const samples = new Set<string>();
  let units = 0;
  let failedUnits = 0;
  const last = steps.length - 1;

  const requests = steps.map((step, index) => ({
    setupRequest(request: autocannon.Request, context: object): autocannon.Request {
      const state = context as Context;
      // A failed step abandons the pass: returning nothing makes autocannon start a new one.
      if (state.failed) return undefined as unknown as autocannon.Request;
      if (index === 0) state.startedAt = performance.now();
      const built = step.request(state);
      return { ...request, method: built.method, path: built.path, headers: built.headers, body: built.body ?? '' } as autocannon.Request;
    },
    onResponse(status: number, body: string, context: object, headers: Record<string, unknown>): void {
      const state = context as Context;
      if (state.failed) return;
      if (!step.accept(status, body, lowerCaseHeaders(headers), state)) {
        state.failed = true;
        failedUnits += 1;
        if (samples.size < 3) samples.add(`step ${index + 1}: ${status} ${body.slice(0, 160)}`);
        return;
      }
      if (index === last) {
        units += 1;
        latencies.push(performance.now() - (state.startedAt ?? performance.now()));
      }
    },
  }));

  const result = await autocannon({
    url,
    connections: options.connections,
    duration: options.seconds,
    requests: requests as unknown as autocannon.Request[],
  });
  latencies.sort((a, b) => a - b);
  const failures = failedUnits + result.errors;
  return {
    perSecond: units / result.duration,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    units,
    failures,
    failureRate: units + failures === 0 ? 1 : failures / (units + failures),
    seconds: result.duration,
    samples: [...samples, ...(result.errors > 0 ? [`${result.errors} socket errors (${result.timeouts} timeouts)`] : [])],
  };
}
