import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/app.js';
import { tokenRequest } from '../helpers/oauth-flow.js';

describe('GET /metrics', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer('sqlite', { AUTHLY_CACHE__BACKEND: 'memory' });
  });
  afterAll(async () => server?.close());

  async function scrape(): Promise<string> {
    const response = await fetch(`${server.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return response.text();
  }

  it('counts requests by route pattern, not by raw URL', async () => {
    await fetch(`${server.url}/health`);
    await fetch(`${server.url}/no/such/path/123`);
    const text = await scrape();
    expect(text).toMatch(/authly_http_requests_total\{method="GET",route="\/health",status="200"\} [1-9]/);
    expect(text).toMatch(/authly_http_requests_total\{method="GET",route="not_found",status="404"\} [1-9]/);
    expect(text).not.toContain('/no/such/path');
    // One duration series per method and route pattern, whatever the status.
    expect(text).toMatch(/authly_http_request_duration_seconds_count\{method="GET",route="\/health"\} [1-9]/);
    expect(text).toMatch(/authly_http_request_duration_seconds_count\{method="GET",route="not_found"\} [1-9]/);
    expect(text).toMatch(/authly_application\{version="test"\} 1/);
    expect(text).toContain('authly_process_resident_memory_bytes');
  });

  it('mirrors the cache counters per namespace', async () => {
    // Two client_credentials requests: the second reads the client from the cache.
    for (let i = 0; i < 2; i++) {
      const r = await tokenRequest(server, { grant_type: 'client_credentials' }, { id: server.confidential.client.clientId, secret: server.confidential.secret });
      expect(r.status).toBe(200);
    }
    const hits = /authly_cache_operations_total\{namespace="clients",result="hit"\} (\d+)/.exec(await scrape());
    expect(Number(hits?.[1])).toBeGreaterThanOrEqual(1);
  });
});
