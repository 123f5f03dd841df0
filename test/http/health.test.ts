import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { buildServer } from '../../src/http/server.js';
import { SECURITY_HEADERS } from '../../src/http/security-headers.js';
import { createLogger } from '../../src/log/logger.js';

const config = loadConfig({ env: {} });
const logger = createLogger({ level: 'silent', json: true });
let app: FastifyInstance | undefined;

async function serverWith(health: () => Promise<void>): Promise<FastifyInstance> {
  app = await buildServer({ config, logger, health, version: '9.9.9' });
  return app;
}

afterEach(async () => {
  await app?.close();
  app = undefined;
});

describe('GET /health', () => {
  it('answers 200 healthy when the database check resolves', async () => {
    const server = await serverWith(async () => {});
    const response = await server.inject({ method: 'GET', url: '/health' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'healthy', version: '9.9.9', database: 'connected' });
  });

  it('answers 503 unhealthy when the database check rejects', async () => {
    const server = await serverWith(async () => {
      throw new Error('connection refused');
    });
    const response = await server.inject({ method: 'GET', url: '/health' });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toEqual({ status: 'unhealthy', version: '9.9.9', database: 'error' });
  });
});

describe('GET /health/live', () => {
  it('answers 200 even when the database is down', async () => {
    const server = await serverWith(async () => {
      throw new Error('down');
    });
    const response = await server.inject({ method: 'GET', url: '/health/live' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ status: 'alive' });
  });
});

describe('every response', () => {
  it('carries the security headers, errors included', async () => {
    const server = await serverWith(async () => {});
    for (const url of ['/health', '/no/such/path']) {
      const response = await server.inject({ method: 'GET', url });
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(response.headers[name]).toBe(value);
      expect(response.headers['x-frame-options']).toBe('DENY');
      expect(response.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      // Plain HTTP: HSTS and upgrade-insecure-requests are only sent over HTTPS.
      expect(response.headers['strict-transport-security']).toBeUndefined();
      expect(response.headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
    }
  });
});

describe('errors', () => {
  it('answers an unknown path with 404 {"detail":"Not Found"}', async () => {
    const server = await serverWith(async () => {});
    const response = await server.inject({ method: 'GET', url: '/does-not-exist' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ detail: 'Not Found' });
  });

  it('answers an unexpected error with 500 and no internals', async () => {
    const server = await serverWith(async () => {});
    server.get('/boom', async function boom() {
      throw new Error('secret internal detail');
    });
    const response = await server.inject({ method: 'GET', url: '/boom' });
    expect(response.statusCode).toBe(500);
    expect(response.json()).toEqual({ detail: 'Internal Server Error' });
    expect(response.body).not.toContain('secret');
  });

  it('answers malformed JSON with a 400 detail body', async () => {
    const server = await serverWith(async () => {});
    server.post('/echo', async function echo(request) {
      return request.body;
    });
    const response = await server.inject({
      method: 'POST',
      url: '/echo',
      headers: { 'content-type': 'application/json' },
      payload: '{not json',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toHaveProperty('detail');
  });
});

describe('a known path asked with another method', () => {
  it('answers 405 with Allow, as FastAPI does, and 404 stays for unknown paths', async () => {
    const app = await serverWith(async () => {});
    const wrong = await app.inject({ method: 'POST', url: '/health' });
    expect(wrong.statusCode).toBe(405);
    expect(wrong.headers.allow).toBe('GET');
    expect(wrong.json()).toEqual({ detail: 'Method Not Allowed' });
    const head = await app.inject({ method: 'HEAD', url: '/health/live' });
    expect(head.statusCode).toBe(405);
    expect((await app.inject({ method: 'POST', url: '/nowhere' })).statusCode).toBe(404);
  });
});

describe('request logs', () => {
  async function logged(level: 'info' | 'debug', urls: string[]): Promise<Array<{ level: number; msg: string; url?: string }>> {
    const lines: string[] = [];
    app = await buildServer({ config, logger: createLogger({ level, json: true }, { write: (line: string) => lines.push(line) }), health: async () => {}, version: '9.9.9' });
    for (const url of urls) await app.inject({ method: 'GET', url });
    return lines.map((line) => JSON.parse(line) as { level: number; msg: string; url?: string });
  }

  it('logs health probes below info, and other requests at info', async () => {
    const atInfo = await logged('info', ['/health', '/health/live', '/health?x=1', '/no/such/path']);
    // One line per request at info, written when it completes; the arrival line is at debug.
    expect(atInfo.filter((record) => record.msg === 'incoming request')).toEqual([]);
    expect(atInfo.filter((record) => record.msg === 'request completed').map((record) => record.url)).toEqual(['/no/such/path']);
    await app?.close();

    const atDebug = await logged('debug', ['/health']);
    const probe = atDebug.filter((record) => record.msg === 'incoming request' || record.msg === 'request completed');
    expect(probe.map((record) => record.level)).toEqual([20, 20]);
  });
});
