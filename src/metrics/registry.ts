import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { AuditEvent } from '../audit/events.js';

/** Counters per cache namespace, as the cache layer keeps them. */
export type CacheCounterSnapshot = Record<string, { hits: number; misses: number; evictions: number; errors: number }>;

/** Connections of the database pool at one moment (PostgreSQL). */
export interface PoolSnapshot {
  /** Open connections, idle or in use. */
  total: number;
  idle: number;
  /** Requests waiting for a connection. */
  waiting: number;
  /** `database.postgresql.pool_size`. */
  max: number;
}

/** What the metrics read at scrape time. */
export interface MetricsSources {
  version: string;
  /** Cache counters; `undefined` when no cache is configured. */
  cacheStats(): CacheCounterSnapshot | undefined;
  /** The connection pool; `undefined` on SQLite (one connection, no pool). */
  poolStats?(): PoolSnapshot | undefined;
}

/** The application's Prometheus metrics (every family prefixed `authly_`). */
export interface AuthlyMetrics {
  readonly registry: Registry;
  /** Records one finished HTTP request. */
  observeRequest(method: string, route: string, status: number, seconds: number): void;
  /** One request more (`+1`) or less (`-1`) in progress. */
  inFlight(delta: 1 | -1): void;
  /** Counts what an audit event says: tokens issued, login failures, lockouts, rate-limit refusals. */
  observeAuditEvent(event: AuditEvent): void;
  /** One database statement's duration. */
  observeQuery(seconds: number): void;
}

/** One route pattern and method's duration series, and its request counters by status. */
interface RouteSeries {
  time: { observe(seconds: number): void };
  count: Map<number, { inc(): void }>;
}

/** Statement durations: most are sub-millisecond on SQLite, a few milliseconds on PostgreSQL. */
const QUERY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/**
 * Builds a registry of its own (not prom-client's global one, so tests and several apps in one
 * process do not collide): process metrics, HTTP request counts, durations and requests in
 * flight by route pattern (never the raw URL: ids would explode the label set), security counters
 * fed by the audit events, database statement durations and pool usage, and the cache counters
 * and hit ratio read at scrape time.
 */
export function createMetrics(sources: MetricsSources): AuthlyMetrics {
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics({ register: registry, prefix: 'authly_' });
  new Gauge({ name: 'authly_application', help: 'Authly build information', labelNames: ['version'], registers }).labels(sources.version).set(1);
  const requests = new Counter({ name: 'authly_http_requests_total', help: 'HTTP requests by method, route and status', labelNames: ['method', 'route', 'status'], registers });
  const duration = new Histogram({ name: 'authly_http_request_duration_seconds', help: 'HTTP request duration by method and route', labelNames: ['method', 'route'], registers });
  // Counted in a plain number and read at scrape time: a gauge update per request start and end
  // would cost more than the requests' own bookkeeping.
  let inFlightNow = 0;
  new Gauge({
    name: 'authly_http_requests_in_flight',
    help: 'HTTP requests being served',
    registers,
    collect() {
      this.set(inFlightNow);
    },
  });
  const tokens = new Counter({ name: 'authly_tokens_issued_total', help: 'Token responses issued by grant type and signing algorithm', labelNames: ['grant', 'algorithm'], registers });
  const loginFailures = new Counter({ name: 'authly_login_failures_total', help: 'Failed password logins by reason', labelNames: ['reason'], registers });
  const lockouts = new Counter({ name: 'authly_account_lockouts_total', help: 'Accounts locked after repeated failed logins', registers });
  const rateLimited = new Counter({ name: 'authly_rate_limit_rejections_total', help: 'Requests refused by a rate limit, by bucket', labelNames: ['bucket'], registers });
  const queries = new Histogram({ name: 'authly_db_query_duration_seconds', help: 'Database statement duration (successful statements)', buckets: QUERY_BUCKETS, registers });
  new Gauge({
    name: 'authly_db_pool_connections',
    help: 'Database pool connections by state (total, idle, waiting requests, max); PostgreSQL only',
    labelNames: ['state'],
    registers,
    collect() {
      const pool = sources.poolStats?.();
      if (!pool) return;
      for (const [state, value] of Object.entries(pool)) this.labels(state).set(value);
    },
  });
  new Counter({
    name: 'authly_cache_operations_total',
    help: 'Cache lookups and evictions by namespace and result (hit, miss, eviction, error)',
    labelNames: ['namespace', 'result'],
    registers,
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
  new Gauge({
    name: 'authly_cache_hit_ratio',
    help: 'Cache hits / (hits + misses) since start, by namespace',
    labelNames: ['namespace'],
    registers,
    collect() {
      this.reset();
      for (const [namespace, s] of Object.entries(sources.cacheStats() ?? {})) {
        const lookups = s.hits + s.misses;
        if (lookups > 0) this.labels(namespace).set(s.hits / lookups);
      }
    },
  });
  // The labelled series of each route pattern, method and status, looked up once (route patterns
  // and statuses are few; raw URLs never become labels). Nested maps rather than one map keyed by
  // a joined string: route patterns and methods are the same string objects on every request, so
  // no key is built and hashed per request.
  const requestSeries = new Map<string, Map<string, RouteSeries>>();
  return {
    registry,
    observeRequest(method, route, status, seconds) {
      let byMethod = requestSeries.get(route);
      if (byMethod === undefined) {
        byMethod = new Map();
        requestSeries.set(route, byMethod);
      }
      let series = byMethod.get(method);
      if (series === undefined) {
        series = { time: duration.labels(method, route), count: new Map() };
        byMethod.set(method, series);
      }
      let count = series.count.get(status);
      if (count === undefined) {
        count = requests.labels(method, route, String(status));
        series.count.set(status, count);
      }
      count.inc();
      series.time.observe(seconds);
    },
    inFlight: (delta) => {
      inFlightNow += delta;
    },
    observeAuditEvent(event) {
      const details = event.details ?? {};
      switch (event.event) {
        case 'token.issued':
          tokens.labels(String(details.grant), String(details.algorithm)).inc();
          break;
        case 'login.failed':
          loginFailures.labels(String(details.reason)).inc();
          break;
        case 'account.locked':
          lockouts.inc();
          break;
        case 'rate_limit.exceeded':
          rateLimited.labels(String(details.bucket)).inc();
          break;
        case 'client_auth.throttled':
          rateLimited.labels('client_auth').inc();
          break;
        default:
          break;
      }
    },
    observeQuery: (seconds) => queries.observe(seconds),
  };
}
