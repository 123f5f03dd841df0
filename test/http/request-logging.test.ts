import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { buildServer } from '../../src/http/server.js';
import { createLogger } from '../../src/log/logger.js';

describe('request logging', () => {
  it('logs requests without credentials from the query string or headers', async () => {
    const lines: string[] = [];
    // Health probes are logged at debug; the redaction holds at every level.
    const logger = createLogger({ level: 'debug', json: true }, { write: (line: string) => lines.push(line) });
    const app = await buildServer({ config: loadConfig({ env: {} }), logger, health: async () => {}, version: '0' });
    try {
      const response = await app.inject({
        method: 'GET',
        url: '/health?code=s3cr3t-code&state=abc',
        headers: { authorization: 'Bearer s3cr3t-token' },
      });
      expect(response.statusCode).toBe(200);
    } finally {
      await app.close();
    }
    const log = lines.join('');
    expect(log).toContain('/health?code=[Redacted]&state=abc');
    expect(log).not.toContain('s3cr3t');
  });

  it('writes one line per request at info, when it completes: method, path, status, time, address and request id, no query string', async () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'info', json: true }, { write: (line: string) => lines.push(line) });
    const app = await buildServer({ config: loadConfig({ env: {} }), logger, health: async () => {}, version: '0' });
    try {
      const response = await app.inject({
        method: 'GET',
        url: '/no/such/path?code=s3cr3t-code&state=abc',
        headers: { authorization: 'Bearer s3cr3t-token', cookie: 'authly_session=s3cr3t-cookie', 'x-request-id': 'req-1' },
      });
      expect(response.statusCode).toBe(404);
    } finally {
      await app.close();
    }
    const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((record) => record.reqId === 'req-1');
    expect(records).toEqual([
      expect.objectContaining({ level: 30, msg: 'request completed', method: 'GET', url: '/no/such/path', statusCode: 404, remoteAddress: '127.0.0.1', responseTime: expect.any(Number) }),
    ]);
    expect(lines.join('')).not.toContain('s3cr3t');
    expect(lines.join('')).not.toContain('state=abc');
  });
});
