import type { SqlFlavour } from '../kysely/codec.js';
import type { MigrationReport } from '../storage.js';
import type { DatabaseSchema, TableSchema } from './schema.js';
import type { SchemaVersion } from './version.js';

/** What one batch did to the target. */
export interface InsertResult {
  inserted: number;
  /** Rows left out because their primary key was already there (`--merge`). */
  skipped: number;
}

/** Inserts batches of rows, already encoded for the target, into one table. */
export interface TableInserter {
  write(rows: unknown[][]): Promise<InsertResult>;
}

/**
 * A database being written inside one transaction, opened and migrated to this build's latest
 * schema inside that same transaction. Nothing is visible to other sessions until
 * {@link TargetDatabase.finish} commits; a failure, `finish(false)` or the process dying leaves
 * the database exactly as it was.
 */
export interface TargetDatabase {
  readonly label: string;
  readonly dialect: SqlFlavour;
  /** The version before this transfer opened it. */
  readonly versionBefore: SchemaVersion;
  /** What migrating it inside the transaction applied. */
  readonly migration: MigrationReport;
  /** The schema after that migration. */
  readonly schema: DatabaseSchema;
  /** True when the table holds at least one row. */
  hasRows(table: TableSchema): Promise<boolean>;
  count(table: TableSchema): Promise<number>;
  /** Up to `limit` values of one column, for recognising the rows a fresh schema seeds. */
  columnValues(table: TableSchema, column: string, limit: number): Promise<unknown[]>;
  /** Deletes every row of these tables (children first), inside the transaction. */
  clear(tables: readonly TableSchema[]): Promise<void>;
  /**
   * An inserter for `columns` of `table`. With `skipExisting`, rows whose primary key is already
   * there are skipped and counted; any other conflict (a unique key) stops the transfer.
   */
  inserter(table: TableSchema, columns: readonly string[], skipExisting: boolean): TableInserter;
  /** Commits (`true`) or rolls back (`false`), then closes. */
  finish(commit: boolean): Promise<void>;
  /** Rolls back and closes, whatever state it is in; never throws. */
  abandon(): Promise<void>;
}

/** `INSERT INTO t (a, b) VALUES (p, p), (p, p)` with the placeholder each engine uses. */
export function insertStatement(
  quote: (name: string) => string,
  table: TableSchema,
  columns: readonly string[],
  rows: number,
  placeholder: (index: number) => string,
  skipExisting: boolean,
): string {
  const tuples: string[] = [];
  let index = 0;
  for (let row = 0; row < rows; row++) {
    const marks: string[] = [];
    for (let column = 0; column < columns.length; column++) marks.push(placeholder(++index));
    tuples.push(`(${marks.join(', ')})`);
  }
  const conflict =
    skipExisting && table.primaryKey.length > 0 ? ` ON CONFLICT (${table.primaryKey.map(quote).join(', ')}) DO NOTHING` : '';
  return `INSERT INTO ${quote(table.name)} (${columns.map(quote).join(', ')}) VALUES ${tuples.join(', ')}${conflict}`;
}

/** The primary key of a row, for naming a row that failed: `id=…`. */
export function describeKey(table: TableSchema, columns: readonly string[], row: readonly unknown[]): string {
  const keyColumns = table.primaryKey.length > 0 ? table.primaryKey : columns.slice(0, 1);
  return keyColumns.map((column) => `${column}=${String(row[columns.indexOf(column)])}`).join(', ');
}

/**
 * An inserter that splits each batch into statements of at most `perStatement` rows, the most an
 * engine's parameter limit allows for this many columns (capped at `cap`). `run` executes one
 * chunk and returns how many rows it inserted.
 */
export function chunkedInserter(maxParameters: number, cap: number, columns: number, run: (chunk: unknown[][]) => Promise<number> | number): TableInserter {
  const perStatement = Math.max(1, Math.min(cap, Math.floor(maxParameters / columns)));
  return {
    async write(rows: unknown[][]): Promise<InsertResult> {
      let inserted = 0;
      for (let start = 0; start < rows.length; start += perStatement) inserted += await run(rows.slice(start, start + perStatement));
      return { inserted, skipped: rows.length - inserted };
    },
  };
}

/** Builds a statement per chunk size once, then reuses it (full chunks and the one remainder). */
export function perSize<T>(build: (rows: number) => T): (rows: number) => T {
  const built = new Map<number, T>();
  return (rows) => {
    let statement = built.get(rows);
    if (statement === undefined) {
      statement = build(rows);
      built.set(rows, statement);
    }
    return statement;
  };
}

/** A target's parts other than its lifecycle. */
export type TargetParts = Omit<TargetDatabase, 'finish' | 'abandon'>;

/**
 * Completes a target with its lifecycle from `close` (commit or roll back, then release the
 * connection), and rolls back if building its parts (the migration, the schema) fails.
 */
export async function withLifecycle(close: (commit: boolean) => Promise<void>, build: () => Promise<TargetParts>): Promise<TargetDatabase> {
  const abandon = () => close(false).catch(() => undefined);
  try {
    return { ...(await build()), finish: close, abandon };
  } catch (err) {
    await abandon();
    throw err;
  }
}
