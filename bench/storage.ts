/**
 * Storage micro-benchmark: a primary-key read of a client on SQLite
 * `:memory:`, measured four ways in one run so the ratios are comparable on a noisy machine:
 * raw better-sqlite3 with one prepared statement, Kysely over our statement-caching driver,
 * Kysely preparing every call (cache size 0, as the stock driver does), and the full repository
 * `clients.findByClientId` (query building + row decoding). Not a test.
 *
 * Options: `--seconds <n>` per variant (default 2).
 */
import { sql } from 'kysely';
import { openStorage } from '../src/app/storage.js';
import { openSqlite } from '../src/storage/sqlite/open.js';
import type { SqlitePragmas } from '../src/storage/storage.js';
import { option } from './options.js';

const PRAGMAS: SqlitePragmas = { journal_mode: 'WAL', synchronous: 'NORMAL', cache_size: -64000, temp_store: 'MEMORY', busy_timeout: 5000, foreign_keys: true };

/** Runs `op` back to back for `seconds`; returns calls per second. */
async function measure(op: () => unknown, seconds: number): Promise<number> {
  const deadline = performance.now() + seconds * 1000;
  const start = performance.now();
  let done = 0;
  while (performance.now() < deadline) {
    for (let i = 0; i < 100; i++) await op();
    done += 100;
  }
  return done / ((performance.now() - start) / 1000);
}

async function seededStorage(statementCacheSize: number) {
  const storage = await openStorage({ backend: 'memory', pragmas: PRAGMAS, statementCacheSize });
  await storage.migrate();
  for (let i = 0; i < 1000; i++) {
    await storage.repositories.clients.create({ clientId: `client_${i}`, clientName: `Client ${i}`, clientType: 'public', redirectUris: ['https://a.example/cb'] });
  }
  return storage;
}

/** `npm run bench -- storage [--seconds n]`. */
export async function run(args: string[]): Promise<void> {
  const seconds = option(args, 'seconds', 2);
  const results: [string, number][] = [];

  const raw = openSqlite({ path: ':memory:', pragmas: PRAGMAS, statementCacheSize: 500 });
  raw.raw.exec("CREATE TABLE t (id TEXT PRIMARY KEY, v TEXT); WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i+1 FROM n WHERE i < 999) INSERT INTO t SELECT 'k' || i, 'v' || i FROM n;");
  const stmt = raw.raw.prepare('SELECT * FROM t WHERE id = ?');
  let i = 0;
  results.push(['better-sqlite3, one prepared statement', await measure(() => stmt.get(`k${i++ % 1000}`), seconds)]);
  results.push(['Kysely + our statement cache', await measure(() => sql`SELECT * FROM t WHERE id = ${`k${i++ % 1000}`}`.execute(raw.db), seconds)]);
  await raw.db.destroy();

  const stock = openSqlite({ path: ':memory:', pragmas: PRAGMAS, statementCacheSize: 0 });
  stock.raw.exec("CREATE TABLE t (id TEXT PRIMARY KEY, v TEXT); INSERT INTO t VALUES ('k0', 'v0');");
  results.push(['Kysely, prepare per call (stock driver)', await measure(() => sql`SELECT * FROM t WHERE id = ${'k0'}`.execute(stock.db), seconds)]);
  await stock.db.destroy();

  for (const size of [500, 0]) {
    const storage = await seededStorage(size);
    results.push([`repository clients.findByClientId (statement cache ${size})`, await measure(() => storage.repositories.clients.findByClientId(`client_${i++ % 1000}`), seconds)]);
    await storage.close();
  }

  const base = results[0]![1];
  console.log('storage: SQLite :memory: primary-key reads');
  for (const [label, opsPerSecond] of results) {
    console.log(`  ${label.padEnd(58)} ${Math.round(opsPerSecond).toLocaleString('en-US').padStart(10)} /s  (${((opsPerSecond / base) * 100).toFixed(0)}% of raw)`);
  }
}
