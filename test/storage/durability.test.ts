import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { waitForLine } from '../cli/run-cli.js';
import { seedDatabase, tokenRequest, type SeededDatabase } from '../helpers/seed.js';
import { DEFAULT_TEST_PRAGMAS } from './pragmas.js';

/*
 * A 200 from the token endpoint promises a recorded token: after the server is killed with SIGKILL
 * (no shutdown, no flush) under concurrent load on SQLite and started again on the same file,
 * every token handed out is still known — introspectable as active, and revocable. Runs the
 * built server (`npm run build` first), as an operator would.
 */
const DIST_CLI = fileURLToPath(new URL('../../dist/cli/index.js', import.meta.url));
const built = fs.existsSync(DIST_CLI);
if (!built) {
  if (process.env.CI === 'true') throw new Error(`${DIST_CLI} is missing: run npm run build before the tests`);
  console.warn(`skipping the SIGKILL durability test: ${DIST_CLI} is missing (npm run build)`);
}

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

function serve(file: string, seeded: SeededDatabase): ChildProcessWithoutNullStreams {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    AUTHLY_DATABASE__SQLITE__PATH: file,
    AUTHLY_SECRETS__MASTER_KEY: seeded.masterKey,
    AUTHLY_ADMIN__BOOTSTRAP: 'false',
    AUTHLY_RATE_LIMIT__ENABLED: 'false',
    AUTHLY_DATABASE__PRUNE_INTERVAL_SECONDS: '0',
  };
  const child = spawn(process.execPath, [DIST_CLI, 'serve', '--host', '127.0.0.1', '--port', '0'], { cwd: path.dirname(file), env });
  cleanups.push(() => child.kill('SIGKILL'));
  return child;
}

async function started(child: ChildProcessWithoutNullStreams): Promise<string> {
  const [, url] = await waitForLine(child, /"url":"(http:\/\/[^"]+)"/);
  // Keep the pipes drained, or a chatty server blocks on a full pipe.
  child.stdout.on('data', () => undefined);
  child.stderr.on('data', () => undefined);
  return url!;
}

function oauthPost(url: string, endpoint: 'introspect' | 'revoke', basic: string, token: string): Promise<Response> {
  return fetch(`${url}/api/v1/oauth/${endpoint}`, {
    method: 'POST',
    headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token }).toString(),
  });
}

async function active(url: string, basic: string, token: string): Promise<boolean> {
  const response = await oauthPost(url, 'introspect', basic, token);
  expect(response.status).toBe(200);
  return ((await response.json()) as { active: boolean }).active;
}

/** Runs `work` over `items` with at most `width` in flight. */
async function inBatches<T>(items: readonly T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += width) await Promise.all(items.slice(i, i + width).map(work));
}

describe.skipIf(!built)('tokens survive SIGKILL (SQLite)', () => {
  it('knows every token that got a 200 after the server is killed under load and restarted', async () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'authly-durability-'));
    cleanups.push(() => fs.rmSync(folder, { recursive: true, force: true }));
    const file = path.join(folder, 'authly.db');
    const seeded = await seedDatabase({ backend: 'sqlite', path: file, pragmas: DEFAULT_TEST_PRAGMAS });

    const first = serve(file, seeded);
    const exited = new Promise((resolve) => first.once('exit', resolve));
    const url = await started(first);

    // Concurrent clients; a token counts only once its whole 200 body has arrived.
    const issued: string[] = [];
    let running = true;
    const workers = Array.from({ length: 12 }, async () => {
      while (running) {
        try {
          const response = await tokenRequest(url, seeded.basic);
          const body = (await response.json()) as { access_token?: string };
          if (response.status === 200 && body.access_token) issued.push(body.access_token);
        } catch {
          return; // the connection died with the server
        }
      }
    });
    while (issued.length < 150) await new Promise((resolve) => setTimeout(resolve, 10));
    first.kill('SIGKILL');
    await exited;
    running = false;
    await Promise.all(workers);

    const second = serve(file, seeded);
    const again = await started(second);
    const unknown: string[] = [];
    await inBatches(issued, 16, async (token) => {
      if (!(await active(again, seeded.basic, token))) unknown.push(token);
    });
    expect(unknown, `${unknown.length} of ${issued.length} tokens answered 200 but were not recorded`).toEqual([]);

    // Recorded means revocable too: every other token is revoked, and only those go inactive.
    const revoked = issued.filter((_, i) => i % 2 === 0);
    await inBatches(revoked, 16, async (token) => {
      expect((await oauthPost(again, 'revoke', seeded.basic, token)).status).toBe(200);
    });
    await inBatches(issued, 16, async (token) => {
      expect(await active(again, seeded.basic, token)).toBe(!revoked.includes(token));
    });
  });
});
