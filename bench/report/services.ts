/**
 * The outside servers some rows need: a throw-away PostgreSQL database per use, and Redis for the
 * tiered cache. Rows whose server does not answer are skipped with a notice, never failed.
 */
import pg from 'pg';
import { createCacheStore } from '../../src/cache/index.js';
import type { Logger } from '../../src/repositories/ports.js';

/** Connects to the `postgres` database to create and drop the bench's own databases. */
export const PG_ADMIN_URL = process.env.AUTHLY_BENCH_PG_URL ?? process.env.AUTHLY_TEST_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
/** Redis for the tiered-cache rows. */
export const REDIS_URL = process.env.AUTHLY_BENCH_REDIS_URL ?? process.env.AUTHLY_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Swallows the cache's and storage's log lines: the bench prints its own. */
export const quietLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** What answered when the run started. */
export interface Services {
  postgres: boolean;
  redis: boolean;
}

async function postgresAnswers(): Promise<boolean> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function redisAnswers(): Promise<boolean> {
  const handle = createCacheStore({ backend: 'redis', ttlSeconds: 1, maxSize: 1, redisUrl: REDIS_URL, keyPrefix: `authly-bench-probe-${process.pid}:`, logger: quietLogger });
  try {
    return (await handle.store?.ready(2000)) === true;
  } finally {
    await handle.close();
  }
}

/** Probes PostgreSQL and Redis once; prints one notice line for each that does not answer. */
export async function probeServices(): Promise<Services> {
  const [postgres, redis] = await Promise.all([postgresAnswers(), redisAnswers()]);
  if (!postgres) console.error(`[skip] PostgreSQL rows skipped: nothing answers at ${PG_ADMIN_URL} (set AUTHLY_BENCH_PG_URL).`);
  if (!redis) console.error(`[skip] tiered-cache rows skipped: nothing answers at ${REDIS_URL} (set AUTHLY_BENCH_REDIS_URL).`);
  return { postgres, redis };
}

/** A PostgreSQL database that exists until `drop()`. */
export interface ScratchDatabase {
  url: string;
  drop(): Promise<void>;
}

let scratchCount = 0;

/** Runs one statement on the admin connection (CREATE/DROP DATABASE cannot run in a pool's transaction). */
async function adminStatement(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** Creates an empty database `authly_bench_<pid>_<n>` next to the admin URL's. */
export async function createScratchDatabase(): Promise<ScratchDatabase> {
  const name = `authly_bench_${process.pid}_${++scratchCount}`;
  await adminStatement(`CREATE DATABASE ${name}`);
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  // FORCE (PostgreSQL 13+): a pool the bench failed to close must not keep the database alive.
  return { url: url.toString(), drop: () => adminStatement(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}
