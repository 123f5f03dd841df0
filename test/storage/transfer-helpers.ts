import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { openStorage } from '../../src/app/storage.js';
import { withPostgres } from '../helpers/postgres.js';
import { endpointFor } from '../../src/storage/transfer/index.js';
import type { Endpoint } from '../../src/storage/transfer/index.js';
import type { SqlitePragmas } from '../../src/storage/storage.js';

/** The default SQLite pragmas, as a configuration without a file gives them. */
export const PRAGMAS: SqlitePragmas = { journal_mode: 'WAL', synchronous: 'NORMAL', cache_size: -64000, temp_store: 'MEMORY', busy_timeout: 5000, foreign_keys: true };

/** A temp folder removed by the returned function. */
export function tempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** `sqlite:<file>`. */
export function sqliteEndpoint(file: string): Endpoint {
  return endpointFor({ backend: 'sqlite', path: file, pragmas: PRAGMAS });
}

/** `postgresql://…`. */
export function postgresEndpoint(url: string): Endpoint {
  return endpointFor({ backend: 'postgresql', connectionString: url, poolSize: 1 });
}

/** Creates a SQLite file with this build's schema and nothing else but the seed scopes. */
export async function migratedSqlite(file: string): Promise<void> {
  const storage = await openStorage({ backend: 'sqlite', path: file, pragmas: PRAGMAS });
  try {
    await storage.migrate();
  } finally {
    await storage.close();
  }
}

/** Runs SQL on a SQLite file. */
export function withSqlite<T>(file: string, work: (db: BetterSqlite3.Database) => T): T {
  const db = new BetterSqlite3(file);
  try {
    return work(db);
  } finally {
    db.close();
  }
}

export { withPostgres } from '../helpers/postgres.js';

/**
 * Every row of every table (bookkeeping included), as text, sorted: two snapshots are equal
 * exactly when the database was left as it was.
 */
export function snapshotSqlite(file: string): Record<string, string[]> | 'absent' {
  if (!fs.existsSync(file)) return 'absent';
  return withSqlite(file, (db) => {
    const tables = (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).all() as { name: string }[]).map((t) => t.name);
    return Object.fromEntries(tables.map((table) => [table, (db.prepare(`SELECT * FROM "${table}"`).all() as unknown[]).map((row) => JSON.stringify(row)).sort()]));
  });
}

/** The PostgreSQL counterpart of {@link snapshotSqlite}. */
export async function snapshotPostgres(url: string): Promise<Record<string, string[]>> {
  return withPostgres(url, async (client) => {
    const { rows } = await client.query<{ name: string }>(`SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`);
    const out: Record<string, string[]> = {};
    for (const { name } of rows) {
      out[name] = (await client.query<{ j: string }>(`SELECT row_to_json(t)::text AS j FROM "${name}" t`)).rows.map((row) => row.j).sort();
    }
    return out;
  });
}
