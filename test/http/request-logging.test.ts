import { describe, expect, it } from 'vitest';
import type { InjectOptions } from 'fastify';
import { loadConfig } from '../../src/config/index.js';
import { buildServer } from '../../src/http/server.js';
import { createLogger } from '../../src/log/logger.js';

/** The log lines a bare server writes at `level` while it answers one request, and the status. */
async function logOf(level: 'info' | 'debug', request: InjectOptions): Promise<{ status: number; lines: string[] }> {
  const lines: string[] = [];
  const logger = createLogger({ level, json: true }, { write: (line: string) => lines.push(line) });
  const app = await buildServer({ config: loadConfig({ env: {} }), logger, health: async () => {}, version: '0' });
  try {
    const response = await app.inject(request);
    return { status: response.statusCode, lines };
  } finally {
    await app.close();
  }
}

describe('request logging', () => {
  it('logs requests without credentials from the query string or headers', async () => {
    // Health probes are logged at debug; the redaction holds at every level.
    const { status, lines } = await logOf('debug', {
      method: 'GET',
      url: '/health?code=s3cr3t-code&state=abc',
      headers: { authorization: 'Bearer s3cr3t-token' },
    });
    expect(status).toBe(200);
    const log = lines.join('');
    expect(log).toContain('/health?code=[Redacted]&state=abc');
    expect(log).not.toContain('s3cr3t');
  });

  it('writes one line per request at info, when it completes: method, path, status, time, address and request id, no query string', async () => {
    const { status, lines } = await logOf('info', {
      method: 'GET',
      url: '/no/such/path?code=s3cr3t-code&state=abc',
      headers: { authorization: 'Bearer s3cr3t-token', cookie: 'authly_session=s3cr3t-cookie', 'x-request-id': 'req-1' },
    });
    expect(status).toBe(404);
    const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((record) => record.reqId === 'req-1');
    expect(records).toEqual([
      expect.objectContaining({ level: 30, msg: 'request completed', method: 'GET', url: '/no/such/path', statusCode: 404, remoteAddress: '127.0.0.1', responseTime: expect.any(Number) }),
    ]);
    expect(lines.join('')).not.toContain('s3cr3t');
    expect(lines.join('')).not.toContain('state=abc');
  });
});
