import parsePrometheusTextFormat, { type PrometheusFamily } from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestBackend, type TestServer } from '../helpers/app.js';
import { tokenRequest } from '../helpers/oauth-flow.js';
import { hasPostgres } from '../helpers/services.js';

/** One scrape, parsed by a Prometheus text-format parser nobody here wrote. */
type Scrape = PrometheusFamily[];

/** The value of a counter or gauge sample whose labels include `labels`; 0 when absent. */
function value(scrape: Scrape, name: string, labels: Record<string, string> = {}): number {
  const family = scrape.find((f) => f.name === name);
  const sample = family?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
  return Number(sample?.value ?? 0);
}

/** The observation count of an unlabelled histogram. */
function histogramCount(scrape: Scrape, name: string): number {
  return Number(scrape.find((f) => f.name === name)?.metrics[0]?.count ?? 0);
}

for (const backend of ['sqlite', 'postgresql'] as TestBackend[]) {
  describe.skipIf(backend === 'postgresql' && !hasPostgres)(`/metrics parsed as Prometheus text (${backend})`, () => {
    let server: TestServer;

    beforeAll(async () => {
      server = await startTestServer(backend, {
        AUTHLY_CACHE__BACKEND: 'memory',
        AUTHLY_LOCKOUT__MAX_ATTEMPTS: '2',
        AUTHLY_RATE_LIMIT__REGISTRATION_PER_IP: '1',
      });
    });
    afterAll(async () => server?.close());

    async function scrape(): Promise<Scrape> {
      const response = await fetch(`${server.url}/metrics`);
      expect(response.status).toBe(200);
      return parsePrometheusTextFormat(await response.text());
    }

    it('moves the security, cache, database and request metrics with real requests', async () => {
      const before = await scrape();
      const algorithm = server.app.container.config.tokens.algorithm;
      const basic = { id: server.confidential.client.clientId, secret: server.confidential.secret };

      // Tokens: two client_credentials responses (the second reads the client from the cache).
      for (let i = 0; i < 2; i += 1) expect((await tokenRequest(server, { grant_type: 'client_credentials' }, basic)).status).toBe(200);
      // Two wrong passwords: two failures, and the lock (lockout.max_attempts 2).
      for (let i = 0; i < 2; i += 1) expect((await tokenRequest(server, { grant_type: 'password', username: server.user.username, password: `wrong-${i}` })).status).toBe(400);
      expect((await tokenRequest(server, { grant_type: 'password', username: server.user.username, password: server.password })).status).toBe(429);
      // A second registration from this address is over registration_per_ip (1).
      for (const name of ['metrics_one', 'metrics_two']) {
        await fetch(`${server.url}/api/v1/users/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: name, email: `${name}@example.com`, password: 'long-enough-1' }) });
      }

      const after = await scrape();
      const delta = (name: string, labels: Record<string, string> = {}) => value(after, name, labels) - value(before, name, labels);
      expect(delta('authly_tokens_issued_total', { grant: 'client_credentials', algorithm })).toBe(2);
      expect(delta('authly_login_failures_total', { reason: 'wrong_password' })).toBe(2);
      expect(delta('authly_account_lockouts_total')).toBe(1);
      expect(delta('authly_rate_limit_rejections_total', { bucket: 'registration' })).toBe(1);
      const ratio = value(after, 'authly_cache_hit_ratio', { namespace: 'clients' });
      expect(ratio).toBeGreaterThan(0);
      expect(ratio).toBeLessThanOrEqual(1);
      expect(histogramCount(after, 'authly_db_query_duration_seconds')).toBeGreaterThan(histogramCount(before, 'authly_db_query_duration_seconds'));
      // The scrape itself is in flight while it is answered.
      expect(value(after, 'authly_http_requests_in_flight')).toBeGreaterThanOrEqual(1);
      expect(delta('authly_http_requests_total', { method: 'POST', route: '/api/v1/oauth/token', status: '200' })).toBe(2);
      // Each status of a route is its own series.
      expect(delta('authly_http_requests_total', { method: 'POST', route: '/api/v1/oauth/token', status: '400' })).toBe(2);
      expect(delta('authly_http_requests_total', { method: 'POST', route: '/api/v1/oauth/token', status: '429' })).toBe(1);

      const pool = after.find((f) => f.name === 'authly_db_pool_connections');
      if (backend === 'postgresql') {
        expect(value(after, 'authly_db_pool_connections', { state: 'max' })).toBe(server.app.container.config.database.postgresql.pool_size);
        expect(value(after, 'authly_db_pool_connections', { state: 'total' })).toBeGreaterThanOrEqual(1);
      } else {
        expect(pool?.metrics ?? []).toEqual([]);
      }
    });
  });
}
