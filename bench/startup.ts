/**
 * `npm run bench -- startup`: how long our server takes to become useful. Cold start is the time
 * from spawning `node dist/cli/index.js serve` to the first `200` from `GET /health`, on an
 * existing SQLite file (migrations applied, a client, a user, the admin and the signing key already
 * there from an unmeasured first start). Beside it, `node -e 0` (the floor: Node itself) and
 * `node dist/cli/index.js --version` (the CLI's import graph alone). Target: cold start ≤ 300 ms.
 *
 * Options: `--runs <n>` starts of each (default 10).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadBeforeRun, median, writeResults } from './http/report.js';
import { seedDatabase } from './http/seed.js';
import { AUTHLY_CLI, cleanEnv, ensureBuilt, freePort, ROOT, waitFor200 } from './http/servers.js';
import { option } from './options.js';

const COLD_START_TARGET_MS = 300;

/** Milliseconds from spawning `args` to its exit (status 0 required). */
export async function timeToExit(args: string[], env: Record<string, string>): Promise<number> {
  const start = performance.now();
  const child = spawn(process.execPath, args, { cwd: ROOT, env: cleanEnv(env), stdio: 'ignore' });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`node ${args.join(' ')} exited ${code}`);
  return performance.now() - start;
}

/** Milliseconds from spawning `authly serve` to the first 200 from `/health`; then stops it. */
export async function timeToHealthy(env: Record<string, string>): Promise<number> {
  const port = await freePort();
  const start = performance.now();
  const child = spawn(process.execPath, [AUTHLY_CLI, 'serve', '--host', '127.0.0.1', '--port', String(port)], { cwd: ROOT, env: cleanEnv(env), stdio: 'ignore' });
  try {
    await waitFor200(`http://127.0.0.1:${port}/health`, child, { intervalMs: 2, timeoutMs: 120_000 });
    return performance.now() - start;
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
}

/** `npm run bench -- startup [--runs n]`. */
export async function run(args: string[]): Promise<void> {
  const runs = Math.round(option(args, 'runs', 10));
  const loadavgBefore = loadBeforeRun();
  ensureBuilt();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'authly-bench-startup-'));
  const env = { AUTHLY_DATABASE__SQLITE__PATH: path.join(dir, 'authly.db'), AUTHLY_ADMIN_PASSWORD: 'Bench-admin-password-1' };
  try {
    await seedDatabase(env);
    // The first start creates the admin and the signing key; every measured start finds them.
    await timeToHealthy(env);

    // Interleaved, so a burst of load elsewhere on the machine hits all three alike.
    const floor: number[] = [];
    const version: number[] = [];
    const serve: number[] = [];
    for (let i = 0; i < runs; i++) {
      floor.push(await timeToExit(['-e', '0'], {}));
      version.push(await timeToExit([AUTHLY_CLI, '--version'], env));
      serve.push(await timeToHealthy(env));
    }
    const byTime = (a: number, b: number) => a - b;
    const rows = [
      { what: 'node -e 0 (floor)', command: 'node -e 0', times: floor.sort(byTime) },
      { what: 'authly --version', command: 'node dist/cli/index.js --version', times: version.sort(byTime) },
      { what: 'cold start to first 200 /health', command: 'node dist/cli/index.js serve', times: serve.sort(byTime) },
    ];

    const floorMedian = median(rows[0]!.times)!;
    const summary = rows.map((r) => ({
      ...r,
      median: median(r.times)!,
      min: r.times[0]!,
      max: r.times[r.times.length - 1]!,
      overFloor: median(r.times)! - floorMedian,
    }));
    console.log(`\n## bench startup: ${new Date().toISOString()} (${runs} runs each, interleaved)\n`);
    console.log('| what | median ms | min ms | max ms | median − floor ms |');
    console.log('|---|---:|---:|---:|---:|');
    for (const s of summary) {
      console.log(`| ${s.what} | ${s.median.toFixed(0)} | ${s.min.toFixed(0)} | ${s.max.toFixed(0)} | ${s.what.startsWith('node -e') ? '–' : s.overFloor.toFixed(0)} |`);
    }
    const cold = summary[2]!;
    console.log(
      `\nTarget: cold start ≤ ${COLD_START_TARGET_MS} ms on an existing SQLite file: ${cold.median <= COLD_START_TARGET_MS ? 'met' : 'NOT met'} ` +
        `(median ${cold.median.toFixed(0)} ms). Polling /health every 2 ms; times include spawning node. Compare with the floor, not across machines.`,
    );
    const file = writeResults(path.join(ROOT, 'bench', 'results'), 'startup', { runs, targetMs: COLD_START_TARGET_MS, rows: summary, loadavgBefore });
    console.log(`\nresults: ${path.relative(process.cwd(), file)}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
