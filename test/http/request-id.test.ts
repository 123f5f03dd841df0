import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApplication, type Application } from '../../src/app/application.js';
import { loadConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/log/logger.js';
import { seedDatabase } from '../helpers/seed.js';
import { DEFAULT_TEST_PRAGMAS } from '../storage/pragmas.js';

/*
 * Request correlation: the caller's X-Request-ID / X-Correlation-ID (or a new id) names the
 * request on its response and on every log line written while it runs, the application
 * logger's included (services log through it). An id that could forge or flood log lines is
 * replaced.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let app: Application;
let dir: string;
const lines: Array<Record<string, unknown>> = [];

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'authly-reqid-'));
  const file = path.join(dir, 'authly.db');
  const { masterKey } = await seedDatabase({ backend: 'sqlite', path: file, pragmas: DEFAULT_TEST_PRAGMAS });
  const config = loadConfig({
    env: {
      AUTHLY_DATABASE__SQLITE__PATH: file,
      AUTHLY_SECRETS__MASTER_KEY: masterKey,
      AUTHLY_ADMIN__BOOTSTRAP: 'false',
      AUTHLY_LOCKOUT__MAX_ATTEMPTS: '1',
      LOG_LEVEL: 'info',
    },
  });
  const logger = createLogger(config.logging, { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) });
  app = await createApplication(config, { logger, version: 'test' });
});
afterAll(async () => {
  await app.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Log lines written while `work` runs (requests here never overlap). */
async function linesOf(work: () => Promise<unknown>): Promise<Array<Record<string, unknown>>> {
  const start = lines.length;
  await work();
  return lines.slice(start);
}

describe('request correlation ids', () => {
  it('returns X-Request-ID and puts it on every log line of the request, the services’ lines included', async () => {
    // Over a real socket: the body then arrives in events outside the request's async context.
    const url = await app.server.listen({ host: '127.0.0.1', port: 0 });
    let response: Response | undefined;
    const logged = await linesOf(async () => {
      // A failed password login with lockout.max_attempts 1: the throttle service logs the lock.
      // The body follows the headers in a later packet.
      const body = new ReadableStream<Uint8Array>({
        async start(controller) {
          await new Promise((resolve) => setTimeout(resolve, 50));
          controller.enqueue(new TextEncoder().encode('grant_type=password&username=ghost&password=wrong-password'));
          controller.close();
        },
      });
      response = await fetch(`${url}/api/v1/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-request-id': 'trace-4711' },
        body,
        duplex: 'half',
      } as RequestInit);
      await response.arrayBuffer();
    });
    expect(response?.status).toBe(400);
    expect(response?.headers.get('x-request-id')).toBe('trace-4711');
    expect(logged.map((line) => line.msg)).toEqual(expect.arrayContaining(['request completed']));
    expect(logged.some((line) => line.event === 'account.locked')).toBe(true);
    for (const line of logged) expect(line, JSON.stringify(line)).toMatchObject({ reqId: 'trace-4711' });
    // Never twice on one line (the request logger binds it; the application logger adds it).
    expect(logged.every((line) => JSON.stringify(line).split('"reqId"').length === 2)).toBe(true);
  });

  it('accepts X-Correlation-ID and echoes it under both names', async () => {
    const response = await app.server.inject({ method: 'GET', url: '/health/live', headers: { 'x-correlation-id': 'corr-1' } });
    expect(response.headers['x-request-id']).toBe('corr-1');
    expect(response.headers['x-correlation-id']).toBe('corr-1');
  });

  it('generates a UUID when none is sent, on error responses too', async () => {
    const found = await app.server.inject({ method: 'GET', url: '/health/live' });
    expect(found.headers['x-request-id']).toMatch(UUID);
    const missing = await app.server.inject({ method: 'GET', url: '/no/such/path' });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['x-request-id']).toMatch(UUID);
    const unsupported = await app.server.inject({ method: 'POST', url: '/api/v1/oauth/token', headers: { 'content-type': 'application/json' }, payload: '{' });
    expect(unsupported.headers['x-request-id']).toMatch(UUID);
  });

  it.each([
    ['with CRLF (a forged header or log line)', 'evil\r\nX-Forged: 1'],
    ['10 KB long', 'a'.repeat(10_240)],
    ['129 characters', 'b'.repeat(129)],
    ['with a space', 'id with space'],
    ['with a tab', 'id\twith-tab'],
    ['with DEL', 'id\u007f'],
    ['with non-ASCII', 'idé'],
  ])('replaces an id %s', async (_name, id) => {
    const logged = await linesOf(async () => {
      const response = await app.server.inject({ method: 'GET', url: '/health/live', headers: { 'x-request-id': id } });
      expect(response.headers['x-request-id']).toMatch(UUID);
      expect(response.headers['x-forged']).toBeUndefined();
    });
    for (const line of logged) expect(line.reqId).toMatch(UUID);
    expect(JSON.stringify(logged)).not.toContain('Forged');
  });

  it('keeps an id of exactly 128 visible characters', async () => {
    const id = randomBytes(96).toString('base64url');
    expect(id).toHaveLength(128);
    const response = await app.server.inject({ method: 'GET', url: '/health/live', headers: { 'x-request-id': id } });
    expect(response.headers['x-request-id']).toBe(id);
  });
});
