/**
 * Moving data between backends: rows per second and peak RSS of `authly db copy`, `export` and
 * `import` for 100,000 users (and 1,000,000 with `--full`), each with two tokens, in each
 * direction. Every step runs in a child process and reports `process.resourceUsage().maxRSS`, so
 * a step's memory is its own; the goal is flat memory (under 200 MB at a million users). The
 * child is compiled with tsc first and run by plain `node`, as the installed CLI runs: under tsx
 * the loader alone holds ~70 MB more. The "baseline" row is a child that only loads the code.
 * Needs PostgreSQL (`AUTHLY_BENCH_PG_URL`, default postgresql://postgres@127.0.0.1:5432/postgres).
 *
 * Options: `--users <n>` (one size instead of the defaults), `--full` (adds 1,000,000).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { StorageOptions } from '../src/storage/storage.js';
import type { Job } from './migrate-child.js';

const PG_ADMIN_URL = process.env.AUTHLY_BENCH_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const PRAGMAS = { journal_mode: 'WAL', synchronous: 'NORMAL', cache_size: -64000, temp_store: 'MEMORY', busy_timeout: 5000, foreign_keys: true };
const ROOT = fileURLToPath(new URL('..', import.meta.url));

interface Measured {
  rows: number;
  seconds: number;
  maxRssKiB: number;
}

/**
 * Compiles the child and the code it imports into a folder inside the checkout (so that
 * node_modules resolve), as ES modules. Returns the compiled child's path.
 */
function compileChild(): Promise<{ file: string; remove: () => void }> {
  const out = fs.mkdtempSync(path.join(ROOT, 'bench', '.build-'));
  fs.writeFileSync(path.join(out, 'package.json'), '{"type":"module"}\n');
  const args = [path.join(ROOT, 'node_modules/typescript/bin/tsc'), path.join(ROOT, 'bench/migrate-child.ts'), '--outDir', out, '--rootDir', ROOT,
    '--module', 'NodeNext', '--moduleResolution', 'NodeNext', '--target', 'ES2023', '--skipLibCheck', '--esModuleInterop', '--resolveJsonModule'];
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, args, { stdio: 'inherit' });
    proc.once('error', reject);
    proc.once('close', (code) => {
      const remove = () => fs.rmSync(out, { recursive: true, force: true });
      if (code === 0) resolve({ file: path.join(out, 'bench/migrate-child.js'), remove });
      else {
        remove();
        reject(new Error(`tsc exited ${code}`));
      }
    });
  });
}

let childFile = '';

function child(job: Job): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [childFile, JSON.stringify(job)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    proc.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    proc.once('error', reject);
    proc.once('close', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').at(-1)!) as Measured) : reject(new Error(`${job.kind} exited ${code}`))));
  });
}

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

function postgres(name: string): StorageOptions {
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return { backend: 'postgresql', connectionString: url.toString(), poolSize: 1 };
}

function row(label: string, m: Measured): string {
  const perSecond = m.seconds > 0 ? Math.round(m.rows / m.seconds).toLocaleString('en-US') : '-';
  return `  ${label.padEnd(40)} ${m.rows.toLocaleString('en-US').padStart(10)} rows ${m.seconds.toFixed(1).padStart(7)} s ${perSecond.padStart(9)} rows/s ${(m.maxRssKiB / 1024).toFixed(0).padStart(5)} MiB peak RSS`;
}

async function size(users: number): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'authly-bench-migrate-'));
  const tag = randomBytes(4).toString('hex');
  const names = [`authly_bench_${tag}_a`, `authly_bench_${tag}_b`];
  for (const name of names) await admin(`CREATE DATABASE ${name}`);
  const sqlite = (file: string): StorageOptions => ({ backend: 'sqlite', path: path.join(dir, file), pragmas: PRAGMAS });
  try {
    console.log(`migrate: ${users.toLocaleString('en-US')} users, 2 tokens each`);
    console.log(row('baseline (code loaded, no rows)', await child({ kind: 'baseline' })));
    console.log(row('seed SQLite', await child({ kind: 'seed', target: sqlite('source.db'), users, tokensPerUser: 2 })));
    console.log(row('copy SQLite → PostgreSQL', await child({ kind: 'copy', source: sqlite('source.db'), target: postgres(names[0]!) })));
    console.log(row('copy PostgreSQL → SQLite', await child({ kind: 'copy', source: postgres(names[0]!), target: sqlite('back.db') })));
    console.log(row('export SQLite → .jsonl.gz', await child({ kind: 'export', source: sqlite('source.db'), file: path.join(dir, 'dump.jsonl.gz') })));
    console.log(row('import .jsonl.gz → PostgreSQL', await child({ kind: 'import', file: path.join(dir, 'dump.jsonl.gz'), target: postgres(names[1]!) })));
    console.log(row('export PostgreSQL → .jsonl.gz', await child({ kind: 'export', source: postgres(names[1]!), file: path.join(dir, 'dump-pg.jsonl.gz') })));
    console.log(row('import .jsonl.gz → SQLite', await child({ kind: 'import', file: path.join(dir, 'dump-pg.jsonl.gz'), target: sqlite('from-dump.db') })));
  } finally {
    for (const name of names) await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** `npm run bench -- migrate [--users n] [--full]`. */
export async function run(args: string[]): Promise<void> {
  const index = args.indexOf('--users');
  const one = index === -1 ? Number.NaN : Number(args[index + 1]);
  const sizes = Number.isInteger(one) && one > 0 ? [one] : args.includes('--full') ? [100_000, 1_000_000] : [100_000];
  const compiled = await compileChild();
  childFile = compiled.file;
  try {
    for (const users of sizes) await size(users);
  } finally {
    compiled.remove();
  }
}
