import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { SqlitePragmas } from '../storage.js';
import { StorageOpenError } from '../errors.js';
import type { Database } from '../kysely/database.js';
import { withStatementCache } from './statement-cache.js';
import { withUnavailableErrors } from '../unavailable.js';
import { isSqliteBusy } from './unavailable.js';

/** Options for one SQLite connection. */
export interface SqliteOpenOptions {
  /** File path, or `:memory:`. */
  path: string;
  pragmas: SqlitePragmas;
  statementCacheSize?: number;
}

/** An open SQLite database: the Kysely instance plus the raw handle for pragmas and tests. */
export interface OpenedSqlite {
  db: Kysely<Database>;
  raw: BetterSqlite3.Database;
}

// PRAGMA values are interpolated, so only these shapes are accepted (https://sqlite.org/pragma.html).
const WORD = /^[A-Za-z]+$/;

function pragmaStatements(p: SqlitePragmas, inMemory: boolean): string[] {
  for (const [key, value] of Object.entries({ journal_mode: p.journal_mode, synchronous: p.synchronous, temp_store: p.temp_store })) {
    if (!WORD.test(value)) throw new StorageOpenError(`invalid SQLite pragma ${key}: ${JSON.stringify(value)}`);
  }
  return [
    // WAL is meaningless for :memory: (SQLite keeps it "memory"); asking is harmless but noisy.
    ...(inMemory ? [] : [`journal_mode = ${p.journal_mode}`]),
    `synchronous = ${p.synchronous}`,
    `cache_size = ${Math.trunc(p.cache_size)}`,
    `temp_store = ${p.temp_store}`,
    `busy_timeout = ${Math.trunc(p.busy_timeout)}`,
    `foreign_keys = ${p.foreign_keys ? 'ON' : 'OFF'}`,
  ];
}

function describeFailure(file: string, err: unknown): StorageOpenError {
  const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
  return new StorageOpenError(`cannot open SQLite database ${file}: ${reason}`, { cause: err });
}

/**
 * Opens (creating if needed) a SQLite database with the configured pragmas and our
 * statement-caching driver. Failures become a one-line `StorageOpenError` naming the file.
 */
export function openSqlite(options: SqliteOpenOptions): OpenedSqlite {
  const inMemory = options.path === ':memory:';
  let raw: BetterSqlite3.Database | undefined;
  try {
    if (!inMemory) createPrivately(options.path);
    raw = new BetterSqlite3(options.path);
    for (const statement of pragmaStatements(options.pragmas, inMemory)) raw.pragma(statement);
    // A corrupt or foreign file opens lazily; reading the schema forces SQLite to look at it.
    raw.prepare('SELECT count(*) FROM sqlite_master').get();
    if (!inMemory) assertWritable(raw);
  } catch (err) {
    raw?.close();
    if (err instanceof StorageOpenError) throw err;
    throw describeFailure(options.path, err);
  }
  const database = withStatementCache(raw, options.statementCacheSize ?? 500);
  // A write that waited out busy_timeout is "try again later", not a failure of the request.
  const dialect = withUnavailableErrors(new SqliteDialect({ database }), isSqliteBusy, 'SQLite');
  return { db: new Kysely<Database>({ dialect }), raw };
}

/**
 * The database holds password hashes and token digests: a folder we create is 0700 and a file we
 * create is 0600 (a umask can narrow those, never widen them). SQLite creates the `-wal`, `-shm` and journal files with the
 * database file's permissions, so they are 0600 too. An existing folder or file keeps its mode:
 * the operator chose it. An empty file is a valid empty SQLite database.
 */
function createPrivately(file: string): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true, mode: 0o700 });
  let fd: number;
  try {
    fd = fs.openSync(file, 'wx', 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return;
    throw err;
  }
  fs.closeSync(fd);
}

/** A read-only file or folder would otherwise fail at the first write, deep inside a request. */
function assertWritable(raw: BetterSqlite3.Database): void {
  raw.exec('BEGIN IMMEDIATE; ROLLBACK;');
}
