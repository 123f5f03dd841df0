import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Counters per cache namespace, as the cache layer keeps them. */
export type CacheCounterSnapshot = Record<string, { hits: number; misses: number; evictions: number; errors: number }>;

/** What the metrics read at scrape time. */
export interface MetricsSources {
  version: string;
  /** Cache counters; `undefined` when no cache is configured. */
  cacheStats(): CacheCounterSnapshot | undefined;
}

/** The application's Prometheus metrics (spec §3.1: every family prefixed `authly_`). */
export interface AuthlyMetrics {
  readonly registry: Registry;
  /** Records one finished HTTP request. */
  observeRequest(method: string, route: string, status: number, seconds: number): void;
}

/**
 * Builds a registry of its own (not prom-client's global one, so tests and several apps in one
 * process do not collide): process metrics, HTTP request counts and durations by route pattern
 * (never the raw URL: ids would explode the label set), and the cache counters read at scrape time.
 */
export function createMetrics(sources: MetricsSources): AuthlyMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'authly_' });
  new Gauge({ name: 'authly_application', help: 'Authly build information', labelNames: ['version'], registers: [registry] })
    .labels(sources.version)
    .set(1);
  const requests = new Counter({ name: 'authly_http_requests_total', help: 'HTTP requests by method, route and status', labelNames: ['method', 'route', 'status'], registers: [registry] });
  const duration = new Histogram({ name: 'authly_http_request_duration_seconds', help: 'HTTP request duration by method and route', labelNames: ['method', 'route'], registers: [registry] });
  new Counter({
    name: 'authly_cache_operations_total',
    help: 'Cache lookups and evictions by namespace and result (hit, miss, eviction, error)',
    labelNames: ['namespace', 'result'],
    registers: [registry],
    collect() {
      // The cache keeps monotonic counters; the metric mirrors them at each scrape.
      this.reset();
      const stats = sources.cacheStats() ?? {};
      for (const [namespace, s] of Object.entries(stats)) {
        this.labels(namespace, 'hit').inc(s.hits);
        this.labels(namespace, 'miss').inc(s.misses);
        this.labels(namespace, 'eviction').inc(s.evictions);
        this.labels(namespace, 'error').inc(s.errors);
      }
    },
  });
  return {
    registry,
    observeRequest(method, route, status, seconds) {
      requests.labels(method, route, String(status)).inc();
      duration.labels(method, route).observe(seconds);
    },
  };
}
