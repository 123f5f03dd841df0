import fs from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';
import { TransferError } from './errors.js';
import { quoteIdent } from './source.js';
import type { SourceDatabase } from './source.js';
import type { TableSchema } from './schema.js';
import { readSqliteSchema, sqliteTableNames } from './sqlite-schema.js';
import { toBool } from './values.js';
import type { WireRow } from './values.js';
import { detectVersion } from './version.js';
import type { ValueKind } from './kinds.js';

function decoder(kind: ValueKind): ((value: unknown) => unknown) | undefined {
  switch (kind) {
    case 'bool':
      return (value) => (value === null ? null : toBool(value));
    case 'array':
      return (value) => (typeof value === 'string' ? (JSON.parse(value) as unknown) : value);
    default:
      return undefined;
  }
}

/** Recorded migrations, or null when the record table does not exist. */
function appliedMigrations(raw: BetterSqlite3.Database, tables: ReadonlySet<string>): string[] | null {
  if (!tables.has('authly_schema_migrations')) return null;
  return (raw.prepare('SELECT name FROM authly_schema_migrations').all() as { name: string }[]).map((row) => row.name);
}

/**
 * Opens a SQLite file read-only and starts a read transaction, which in WAL mode is a
 * consistent snapshot while a server keeps writing. Rows are streamed with `iterate()`.
 */
export function openSqliteSource(file: string, label: string): SourceDatabase {
  if (!fs.existsSync(file)) throw new TransferError(`no SQLite database at ${file}`);
  let raw: BetterSqlite3.Database;
  try {
    raw = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
    raw.pragma('busy_timeout = 5000');
    // A sequential scan needs no page cache; the memory goes to the target instead.
    raw.pragma('cache_size = -2000');
    raw.exec('BEGIN');
    raw.prepare('SELECT count(*) FROM sqlite_master').get();
  } catch (err) {
    throw new TransferError(`cannot read SQLite database ${file}: ${(err as Error).message}`, { cause: err });
  }
  const tables = sqliteTableNames(raw);
  const version = detectVersion(tables, appliedMigrations(raw, tables));
  const schema = readSqliteSchema(raw);
  let closed = false;
  return {
    label,
    dialect: 'sqlite',
    schema,
    version,
    count: (table: TableSchema) =>
      Promise.resolve(Number((raw.prepare(`SELECT count(*) AS n FROM ${quoteIdent(table.name)}`).get() as { n: number }).n)),
    async *rows(table: TableSchema, batchSize: number): AsyncGenerator<WireRow[]> {
      const columns = table.columns.map((column) => quoteIdent(column.name)).join(', ');
      const decoders = table.columns.map((column) => decoder(column.kind));
      const statement = raw.prepare(`SELECT ${columns} FROM ${quoteIdent(table.name)}`).raw(true);
      let batch: WireRow[] = [];
      for (const row of statement.iterate() as IterableIterator<unknown[]>) {
        for (let i = 0; i < decoders.length; i++) {
          const decode = decoders[i];
          if (decode !== undefined) row[i] = decode(row[i]);
        }
        batch.push(row);
        if (batch.length >= batchSize) {
          yield batch;
          batch = [];
        }
      }
      if (batch.length > 0) yield batch;
    },
    close() {
      if (!closed) {
        closed = true;
        try {
          raw.close();
        } catch {
          // A statement abandoned mid-iteration keeps the handle busy; the process exit frees it.
        }
      }
      return Promise.resolve();
    },
  };
}
