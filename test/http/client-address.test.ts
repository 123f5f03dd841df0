import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../src/config/index.js';
import { buildServer } from '../../src/http/server.js';
import { createLogger } from '../../src/log/logger.js';

/*
 * The client address and scheme on a keep-alive connection: whether the peer is a trusted proxy
 * is a property of the connection, but what a trusted proxy forwards is read from each request,
 * so several clients' requests multiplexed over one proxy connection are told apart.
 */
let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

interface Answer {
  hsts: boolean;
}

async function serve(trustedProxies: string): Promise<{ url: string; lines: string[] }> {
  const lines: string[] = [];
  const logger = createLogger({ level: 'debug', json: true }, { write: (line: string) => lines.push(line) });
  app = await buildServer({ config: loadConfig({ env: { AUTHLY_SERVER__TRUSTED_PROXIES: trustedProxies } }), logger, health: async () => {}, version: '0' });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return { url, lines };
}

/** GETs `url` with each header set in turn, all over one connection. */
async function oneConnection(url: string, requests: Array<Record<string, string>>): Promise<Answer[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const answers: Answer[] = [];
  try {
    for (const [i, headers] of requests.entries()) {
      answers.push(
        await new Promise<Answer>((resolve, reject) => {
          http
            .get(`${url}/no/such/path`, { agent, headers: { ...headers, 'x-request-id': `r${i}` } }, (response) => {
              response.resume();
              response.on('end', () => resolve({ hsts: response.headers['strict-transport-security'] !== undefined }));
            })
            .on('error', reject);
        }),
      );
    }
  } finally {
    agent.destroy();
  }
  return answers;
}

function logged(lines: string[], msg: string): Array<Record<string, unknown>> {
  return lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((record) => record.msg === msg);
}

const forwarded = { 'x-forwarded-for': '203.0.113.7', 'x-forwarded-proto': 'https' };
const other = { 'x-forwarded-for': '198.51.100.2' };

describe('client address on a keep-alive connection', () => {
  it('reads what a trusted proxy forwards from every request of the connection', async () => {
    const { url, lines } = await serve('127.0.0.1');
    const answers = await oneConnection(url, [forwarded, {}, other, forwarded]);
    expect(answers.map((a) => a.hsts)).toEqual([true, false, false, true]);
    const completed = logged(lines, 'request completed');
    expect(completed.map((record) => record.remoteAddress)).toEqual(['203.0.113.7', '127.0.0.1', '198.51.100.2', '203.0.113.7']);
    // One connection: every request came from the same client port.
    expect(new Set(logged(lines, 'incoming request').map((record) => (record.req as { remotePort: number }).remotePort)).size).toBe(1);
  });

  it('ignores forwarded headers on every request of an untrusted connection', async () => {
    const { url, lines } = await serve('');
    const answers = await oneConnection(url, [forwarded, {}, forwarded]);
    expect(answers.map((a) => a.hsts)).toEqual([false, false, false]);
    expect(logged(lines, 'request completed').map((record) => record.remoteAddress)).toEqual(['127.0.0.1', '127.0.0.1', '127.0.0.1']);
  });
});
