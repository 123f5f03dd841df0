/**
 * Table 2: resident memory of the server process per backend, on an empty database and with
 * 10K, 100K (and with `--size full` 1M) users seeded by `authly db seed`, idle and after a warm
 * read workload over the admin API. Nothing seeded is kept: each database is deleted after use.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AUTHLY_CLI, cleanEnv, ROOT, startAuthly, waitFor200, type RunningServer } from '../http/servers.js';
import { availableVariants, variantEnv, type Locations, type Variant } from './backends.js';
import { compileChild } from './child-scripts.js';
import { createScratchDatabase, type ScratchDatabase, type Services } from './services.js';
import type { Size } from './sizes.js';

/** The configurations the memory table covers (the analysis's four columns). */
export const MEMORY_VARIANTS = ['postgresql', 'sqlite', 'memory', 'sqlite + memory cache'];

/** One row: a backend at a user count. */
export interface MemoryRow {
  backend: string;
  users: number;
  /** MiB resident, idle after start. */
  idleMiB: number;
  /** MiB resident after the warm read workload. */
  warmMiB: number;
  /** Requests of the warm workload that did not answer 200 (absent when not recorded). */
  failures?: number;
}

/** What the memory table measured. */
export interface MemoryResult {
  rows: MemoryRow[];
  skipped: string[];
}

const ADMIN_PASSWORD = 'Bench-admin-password-1';
const SCOPE = 'admin:users:read';

/** Resident set size of `pid` in MiB, from /proc (Linux) or `ps`. */
export function rssMiB(pid: number): number {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    if (kib) return Number(kib[1]) / 1024;
  } catch {
    // Not Linux: ask ps.
  }
  const ps = spawnSync('ps', ['-o', 'rss=', '-p', String(pid)], { encoding: 'utf8' });
  return Number(ps.stdout.trim()) / 1024;
}

/**
 * `authly db seed --users n` into the database `env` names, as a user would run it. The SQLite and
 * PostgreSQL seeds of one size run at the same time: each is mostly one process's work.
 */
function seedWithCli(env: Record<string, string>, users: number, log: (line: string) => void): Promise<void> {
  const started = performance.now();
  const child = spawn(process.execPath, [AUTHLY_CLI, 'db', 'seed', '--users', String(users)], { cwd: ROOT, env: cleanEnv(env), stdio: ['ignore', 'ignore', 'pipe'] });
  let errors = '';
  child.stderr.on('data', (chunk: Buffer) => (errors = (errors + chunk.toString('utf8')).slice(-2000)));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      if (code !== 0) return reject(new Error(`authly db seed failed: ${errors}`));
      log(`memory: seeded ${users.toLocaleString('en-US')} users into ${env.AUTHLY_DATABASE__BACKEND} in ${((performance.now() - started) / 1000).toFixed(0)} s`);
      resolve();
    });
  });
}

/** The `memory` backend's server: started by the child script, filled in its own process. */
async function startMemoryServer(env: Record<string, string>, users: number): Promise<RunningServer> {
  const script = compileChild(['memory-child.ts', 'fill.ts']);
  const child = spawn(process.execPath, ['--expose-gc', script, String(users), String(1 + Math.floor(Math.random() * 2 ** 30))], {
    cwd: ROOT,
    env: cleanEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let errors = '';
  child.stderr.on('data', (chunk: Buffer) => (errors = (errors + chunk.toString('utf8')).slice(-4000)));
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const match = /listening (\d+)/.exec(out);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`memory server exited (${code}): ${errors}`)));
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor200(`${url}/health`, child);
  return {
    url,
    child,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function json<T>(response: Response): Promise<T> {
  if (!response.ok) throw new Error(`${response.url}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/**
 * The warm read workload: the admin logs in (password grant, as `authly admin login`), lists
 * users a page of 100 at a time (up to 1,000), then reads single users by id, 8 in flight.
 * Returns how many requests failed.
 */
async function warmWorkload(url: string, requests: number): Promise<number> {
  const token = await json<{ access_token: string }>(
    await fetch(`${url}/api/v1/oauth/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'password', username: 'admin', password: ADMIN_PASSWORD, scope: SCOPE }) }),
  );
  const headers = { authorization: `Bearer ${token.access_token}` };
  const ids: string[] = [];
  for (let skip = 0; skip < 1000; skip += 100) {
    const page = await json<{ users: { id: string }[] }>(await fetch(`${url}/admin/users?limit=100&skip=${skip}&sort_by=username`, { headers }));
    ids.push(...page.users.map((u) => u.id));
    if (page.users.length < 100) break;
  }
  let failures = 0;
  let next = 0;
  async function worker(): Promise<void> {
    while (next < requests) {
      const i = next++;
      const response = await fetch(`${url}/admin/users/${ids[(i * 7919) % ids.length]}`, { headers });
      await response.arrayBuffer();
      if (response.status !== 200) failures++;
    }
  }
  await Promise.all(Array.from({ length: 8 }, worker));
  return failures;
}

async function measureServer(variant: Variant, env: Record<string, string>, users: number, size: Size): Promise<MemoryRow> {
  const server = variant.storage === 'memory' ? await startMemoryServer(env, users) : await startAuthly(env);
  try {
    // Let start-up work (key loading, cache warm-up, first GC) settle before the idle reading.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const idleMiB = rssMiB(server.child.pid!);
    const failures = await warmWorkload(server.url, size.warmRequests);
    await new Promise((resolve) => setTimeout(resolve, 500));
    return { backend: variant.name, users, idleMiB, warmMiB: rssMiB(server.child.pid!), failures };
  } finally {
    await server.stop();
  }
}

/** Runs table 2. */
export async function runMemoryTable(size: Size, services: Services, log: (line: string) => void): Promise<MemoryResult> {
  const wanted = size.memoryVariants ?? MEMORY_VARIANTS;
  const variants = availableVariants(services, wanted);
  const skipped = wanted.filter((name) => !variants.some((v) => v.name === name));
  const rows: MemoryRow[] = [];
  for (const users of size.memoryUsers) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'authly-bench-memory-'));
    let scratch: ScratchDatabase | undefined;
    try {
      if (variants.some((v) => v.storage === 'postgresql')) scratch = await createScratchDatabase();
      const at: Locations = { sqlitePath: path.join(dir, 'authly.db'), dir, ...(scratch ? { postgresUrl: scratch.url } : {}) };
      const envOf = (variant: Variant) => variantEnv(variant, at, { AUTHLY_ADMIN_PASSWORD: ADMIN_PASSWORD });
      if (users > 0) {
        const seeded = (['sqlite', 'postgresql'] as const).map((storage) => variants.find((v) => v.storage === storage));
        await Promise.all(seeded.map((variant) => (variant ? seedWithCli(envOf(variant), users, log) : undefined)));
      }
      for (const variant of variants) {
        const row = await measureServer(variant, envOf(variant), users, size);
        rows.push(row);
        log(`memory: ${variant.name.padEnd(24)} ${users.toLocaleString('en-US').padStart(9)} users: idle ${row.idleMiB.toFixed(0)} MiB, warm ${row.warmMiB.toFixed(0)} MiB`);
      }
    } finally {
      await scratch?.drop().catch(() => undefined);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  return { rows, skipped };
}
