import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { runMigrationsInTransaction } from '../migrator.js';
import type { SqlitePragmas } from '../storage.js';
import { TransferError } from './errors.js';
import { quoteIdent } from './source.js';
import type { TableSchema } from './schema.js';
import { readSqliteSchema, sqliteTableNames } from './sqlite-schema.js';
import { chunkedInserter, describeKey, insertStatement, perSize, withLifecycle } from './target.js';
import type { TableInserter, TargetDatabase } from './target.js';
import { assertKnownVersion, detectVersion } from './version.js';

/** SQLite's default and hard ceiling on `?` parameters in one statement (https://sqlite.org/limits.html). */
const SQLITE_MAX_VARIABLES = 32_766;
/** Rows per INSERT statement: enough to amortise the call, small enough to stay in cache. */
const SQLITE_ROWS_PER_STATEMENT = 200;

/** better-sqlite3 binds numbers, strings, bigints, buffers and null only. */
function bindable(value: unknown): unknown {
  if (value === undefined) return null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value instanceof Date) return value.toISOString();
  if (value !== null && typeof value === 'object' && !Buffer.isBuffer(value)) return JSON.stringify(value);
  return value;
}

function stagingPath(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.import-${randomBytes(4).toString('hex')}`);
}

function removeDatabaseFiles(file: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) fs.rmSync(`${file}${suffix}`, { force: true });
}

/** The page cache of a transfer, in SQLite's units, capped so that memory stays flat. */
const TRANSFER_CACHE_KIB = 32 * 1024;

/**
 * SQLite's `cache_size` (negative: KiB, positive: pages) capped at {@link TRANSFER_CACHE_KIB}:
 * the page cache is most of a transfer's memory, and the OS page cache serves the rest.
 */
function transferCacheSize(configured: number): number {
  const kib = configured < 0 ? -configured : configured * 4;
  return -Math.min(kib, TRANSFER_CACHE_KIB);
}

function applyPragmas(raw: BetterSqlite3.Database, pragmas: SqlitePragmas): void {
  raw.pragma(`journal_mode = ${/^[A-Za-z]+$/.test(pragmas.journal_mode) ? pragmas.journal_mode : 'WAL'}`);
  raw.pragma(`synchronous = ${/^[A-Za-z]+$/.test(pragmas.synchronous) ? pragmas.synchronous : 'NORMAL'}`);
  raw.pragma(`cache_size = ${transferCacheSize(pragmas.cache_size)}`);
  raw.pragma(`busy_timeout = ${Math.trunc(pragmas.busy_timeout)}`);
  /*
   * Foreign keys are off for the whole transfer transaction (the pragma cannot change inside
   * one): a pending migration may rebuild a table (https://sqlite.org/lang_altertable.html#otheralter),
   * and with them on, dropping a parent table would cascade into its children's rows. Rows may
   * then arrive in any table order; integrity is checked in full before COMMIT instead.
   */
  raw.pragma('foreign_keys = OFF');
}

/**
 * Commits after `pragma_foreign_key_check` finds no row referring to a missing row; otherwise
 * names the first such row and rolls back.
 */
function commitNamingViolation(raw: BetterSqlite3.Database): void {
  const orphan = raw.prepare('SELECT "table", rowid, parent FROM pragma_foreign_key_check LIMIT 1').get() as
    | { table: string; rowid: number; parent: string }
    | undefined;
  if (orphan !== undefined) {
    raw.exec('ROLLBACK');
    throw new TransferError(`${orphan.table}: row ${orphan.rowid} references a missing ${orphan.parent} row`);
  }
  raw.exec('COMMIT');
}

function recordedMigrations(raw: BetterSqlite3.Database, tables: ReadonlySet<string>): string[] | null {
  if (!tables.has('authly_schema_migrations')) return null;
  return (raw.prepare('SELECT name FROM authly_schema_migrations').all() as { name: string }[]).map((row) => row.name);
}

/**
 * Opens a SQLite target. An existing file is written in place inside one `BEGIN IMMEDIATE`
 * transaction (a crash leaves it as it was: SQLite rolls the journal back on the next open). A
 * file that does not exist yet is built under a hidden name beside it and renamed into place
 * only after the commit, so the target path never holds a half-written database.
 */
export async function openSqliteTarget(file: string, pragmas: SqlitePragmas, label: string): Promise<TargetDatabase> {
  const exists = fs.existsSync(file) && fs.statSync(file).size > 0;
  const workFile = exists ? file : stagingPath(file);
  let raw: BetterSqlite3.Database;
  try {
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    raw = new BetterSqlite3(workFile);
    applyPragmas(raw, pragmas);
    raw.exec('BEGIN IMMEDIATE');
  } catch (err) {
    if (!exists) removeDatabaseFiles(workFile);
    const reason = (err as Error).message;
    throw new TransferError(`cannot write SQLite database ${file}: ${reason}`, { cause: err });
  }
  const db = new Kysely({ dialect: new SqliteDialect({ database: raw }) });
  let done = false;
  const close = async (commit: boolean) => {
    if (done) return;
    done = true;
    try {
      if (commit) commitNamingViolation(raw);
      else raw.exec('ROLLBACK');
    } finally {
      await db.destroy();
      if (!exists && commit) fs.renameSync(workFile, file);
      if (!exists && !commit) removeDatabaseFiles(workFile);
    }
  };
  return withLifecycle(close, async () => {
    const tables = sqliteTableNames(raw);
    const versionBefore = detectVersion(tables, recordedMigrations(raw, tables));
    assertKnownVersion(versionBefore, `target ${label}`);
    const migration = await runMigrationsInTransaction(db, 'sqlite');
    const schema = readSqliteSchema(raw);
    return {
      label,
      dialect: 'sqlite',
      versionBefore,
      migration,
      schema,
      hasRows: (table) => Promise.resolve(raw.prepare(`SELECT 1 FROM ${quoteIdent(table.name)} LIMIT 1`).get() !== undefined),
      count: (table) => Promise.resolve(Number((raw.prepare(`SELECT count(*) AS n FROM ${quoteIdent(table.name)}`).get() as { n: number }).n)),
      columnValues: (table, column, limit) =>
        Promise.resolve(raw.prepare(`SELECT ${quoteIdent(column)} FROM ${quoteIdent(table.name)} LIMIT ${Math.trunc(limit)}`).raw(true).all().map((row) => (row as unknown[])[0])),
      clear(toClear) {
        for (const table of [...toClear].reverse()) raw.prepare(`DELETE FROM ${quoteIdent(table.name)}`).run();
        return Promise.resolve();
      },
      inserter: (table, columns, skipExisting) => sqliteInserter(raw, table, columns, skipExisting),
    };
  });
}

function sqliteInserter(raw: BetterSqlite3.Database, table: TableSchema, columns: readonly string[], skipExisting: boolean): TableInserter {
  const statementFor = perSize((rows) => raw.prepare(insertStatement(quoteIdent, table, columns, rows, () => '?', skipExisting)));
  const run = (rows: unknown[][]): number => {
    // One parameter array, filled in place: a batch's garbage is what keeps the heap growing.
    const params = new Array<unknown>(rows.length * columns.length);
    let i = 0;
    for (const row of rows) for (const value of row) params[i++] = bindable(value);
    return statementFor(rows.length).run(params).changes;
  };
  return chunkedInserter(SQLITE_MAX_VARIABLES, SQLITE_ROWS_PER_STATEMENT, columns.length, (chunk) => {
    try {
      return run(chunk);
    } catch (err) {
      // The multi-row statement failed as a whole; find the row to name it.
      for (const row of chunk) {
        try {
          run([row]);
        } catch (rowError) {
          throw new TransferError(`${table.name}: row ${describeKey(table, columns, row)}: ${(rowError as Error).message}`, { cause: rowError });
        }
      }
      throw new TransferError(`${table.name}: ${(err as Error).message}`, { cause: err });
    }
  });
}
