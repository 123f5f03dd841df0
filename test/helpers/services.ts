import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * Which real servers the integration suites may use. On a laptop without PostgreSQL or Redis
 * those suites skip with a one-line notice; under `CI=true` an unreachable server is a failure.
 */
export const PG_ADMIN_URL = process.env.AUTHLY_TEST_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
/**
 * Redis used by the tests; each test uses its own key prefix. Any `redis.url` form works
 * (redis-cluster://, redis-sentinel://): the cluster and sentinel suites point it at their own.
 */
export const REDIS_URL = process.env.AUTHLY_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Host and port of the first server a URL names (`redis-cluster://a:1,b:2` → a:1). */
function firstAddress(url: string): { hostname: string; port: string } {
  const match = /^[a-z-]+:\/\/(?:[^@/]*@)?(\[[^\]]+\]|[^:/,]+)(?::(\d+))?/i.exec(url);
  return { hostname: (match?.[1] ?? '').replace(/^\[(.*)\]$/, '$1'), port: match?.[2] ?? '' };
}

function reachable(url: string): Promise<boolean> {
  const { hostname, port } = firstAddress(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname, port: Number(port) });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/**
 * Every test file probes on its own (files run isolated), so the notice would repeat per file; a
 * marker keyed by the runner's pid makes it one line per run.
 */
function firstNoticeOfRun(name: string): boolean {
  try {
    fs.writeFileSync(path.join(os.tmpdir(), `authly-skip-${name}-${process.ppid}`), '', { flag: 'wx' });
    return true;
  } catch {
    return false;
  }
}

async function probe(name: string, url: string, enableHint: string): Promise<boolean> {
  const ok = await reachable(url);
  if (!ok && process.env.CI === 'true') {
    throw new Error(`${name} is not reachable at ${url} and CI=true: start it (see .ci/run).`);
  }
  if (!ok && firstNoticeOfRun(name)) {
    console.warn(`[skip] ${name} suites skipped: nothing answers at ${url}. ${enableHint}`);
  }
  return ok;
}

/** True when PostgreSQL answers (a failure under CI=true). */
export const hasPostgres = await probe(
  'PostgreSQL',
  PG_ADMIN_URL,
  'Start PostgreSQL on 127.0.0.1:5432 or set AUTHLY_TEST_PG_URL to enable them.',
);

/** True when Redis answers (a failure under CI=true). */
export const hasRedis = await probe(
  'Redis',
  REDIS_URL,
  'Start Redis on 127.0.0.1:6379 or set AUTHLY_TEST_REDIS_URL to enable them.',
);
