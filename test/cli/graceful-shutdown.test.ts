import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/load.js';
import { seedDatabase, type SeededDatabase } from '../helpers/seed.js';
import { DEFAULT_TEST_PRAGMAS } from '../storage/pragmas.js';
import { startCli, waitForLine } from './run-cli.js';

/*
 * SIGTERM under load: the server stops accepting, lets every request it had accepted finish
 * (its debug log shows which: "incoming request" with the request's id), then exits 0. A request that
 * outlives server.shutdown_grace_seconds is cut off, so the process cannot hang.
 */
const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) fs.rmSync(folder, { recursive: true, force: true });
});

interface Served {
  child: ChildProcessWithoutNullStreams;
  url: string;
  seeded: SeededDatabase;
  /** Parsed JSON log lines so far. */
  log: Array<Record<string, unknown>>;
  exited: Promise<number | null>;
}

async function serve(env: Record<string, string> = {}): Promise<Served> {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'authly-shutdown-'));
  folders.push(folder);
  const file = path.join(folder, 'authly.db');
  const seeded = await seedDatabase({ backend: 'sqlite', path: file, pragmas: DEFAULT_TEST_PRAGMAS });
  const child = startCli(['serve', '--host', '127.0.0.1', '--port', '0'], {
    cwd: folder,
    env: {
      AUTHLY_DATABASE__SQLITE__PATH: file,
      AUTHLY_SECRETS__MASTER_KEY: seeded.masterKey,
      AUTHLY_ADMIN__BOOTSTRAP: 'false',
      AUTHLY_RATE_LIMIT__ENABLED: 'false',
      // A request's arrival is logged at debug (at info only its completion is).
      LOG_LEVEL: 'debug',
      ...env,
    },
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const [, url] = await waitForLine(child, /"url":"(http:\/\/[^"]+)"/);
  const log: Array<Record<string, unknown>> = [];
  let pending = '';
  child.stdout.on('data', (chunk: Buffer) => {
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) if (line.startsWith('{')) log.push(JSON.parse(line) as Record<string, unknown>);
  });
  return { child, url: url!, seeded, log, exited };
}

const accepted = (log: Served['log']) => new Set(log.filter((line) => line.msg === 'incoming request').map((line) => String(line.reqId)));

/** A token request whose body is sent in two parts: `finish()` sends the rest. */
function slowTokenRequest(url: string, basic: string, id: string) {
  const body = 'grant_type=client_credentials&scope=read';
  const request = http.request(`${url}/api/v1/oauth/token`, {
    method: 'POST',
    agent: new http.Agent({ keepAlive: true }),
    headers: {
      authorization: basic,
      'content-type': 'application/x-www-form-urlencoded',
      'content-length': Buffer.byteLength(body),
      'x-request-id': id,
    },
  });
  const outcome = new Promise<{ status: number; connection: string | undefined } | { error: string }>((resolve) => {
    request.on('response', (response) => {
      response.resume();
      response.on('end', () => resolve({ status: response.statusCode ?? 0, connection: response.headers.connection }));
    });
    request.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
  });
  request.flushHeaders();
  request.write(body.slice(0, 10));
  return { outcome, finish: () => request.end(body.slice(10)) };
}

describe('authly serve on SIGTERM', () => {
  it('answers every request it had accepted, in flight or on keep-alive connections, then exits 0', async () => {
    const served = await serve();
    const { url, child, log } = served;
    // A request in flight across the signal: headers received, body not yet.
    const slow = slowTokenRequest(url, served.seeded.basic, 'slow-request');
    await eventually(async () => accepted(log).has('slow-request'));

    // Keep-alive load (fetch pools its connections); every request names itself.
    const outcomes = new Map<string, string>();
    let running = true;
    const worker = async () => {
      while (running) {
        const id = randomUUID();
        try {
          const response = await fetch(`${url}/api/v1/oauth/token`, {
            method: 'POST',
            headers: { authorization: served.seeded.basic, 'content-type': 'application/x-www-form-urlencoded', 'x-request-id': id },
            body: 'grant_type=client_credentials&scope=read',
          });
          await response.arrayBuffer();
          outcomes.set(id, `status ${response.status}`);
        } catch (error) {
          outcomes.set(id, `error ${(error as { cause?: { code?: string } }).cause?.code ?? String(error)}`);
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      }
    };
    const workers = Array.from({ length: 6 }, worker);
    await eventually(async () => [...outcomes.values()].filter((o) => o === 'status 200').length >= 30, 20);

    child.kill('SIGTERM');
    await eventually(async () => log.some((line) => line.msg === 'shutting down'), 20);
    slow.finish();
    const code = await served.exited;
    running = false;
    await Promise.all(workers);

    expect(code).toBe(0);
    // The request in flight finished, and told its client not to reuse the connection.
    expect(await slow.outcome).toEqual({ status: 200, connection: 'close' });
    // Every request the server had started on got an HTTP answer; none was reset.
    const started = accepted(log);
    const lost = [...started].filter((id) => id !== 'slow-request' && !outcomes.get(id)?.startsWith('status'));
    expect(lost.map((id) => `${id}: ${outcomes.get(id)}`)).toEqual([]);
    expect(started.size).toBeGreaterThan(30);
  }, 60_000);

  it('cuts off a request still running after server.shutdown_grace_seconds and exits', async () => {
    const served = await serve({ AUTHLY_SERVER__SHUTDOWN_GRACE_SECONDS: '1' });
    const stuck = slowTokenRequest(served.url, served.seeded.basic, 'stuck-request');
    await eventually(async () => accepted(served.log).has('stuck-request'));
    served.child.kill('SIGTERM');
    // The body never comes; the process still exits once the grace period is over.
    expect(await served.exited).toBe(0);
    expect(await stuck.outcome).toHaveProperty('error');
    expect(served.log.some((line) => line.msg === 'shutdown grace period over; closing the remaining connections')).toBe(true);
  }, 60_000);
});
