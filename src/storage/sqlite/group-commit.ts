import type BetterSqlite3 from 'better-sqlite3';
import { sqliteUnavailable as unavailable } from './unavailable.js';

/** Rows keyed by column name, as `encodeRow` makes them; a missing column is written as NULL. */
export type ColumnRow = Readonly<Record<string, unknown>>;

/** Writes rows durably; the promise settles once the transaction holding them committed or failed. */
export type RowWriter = (rows: readonly ColumnRow[]) => Promise<void>;

/** Where {@link SqliteGroupCommit} writes, and what it reports. */
export interface GroupCommitOptions {
  /** The table the rows go to. */
  table: string;
  /** Every column a row may carry, in the order the prepared INSERT binds them. */
  columns: readonly string[];
  /** Called with each committed transaction's duration in seconds (the storage query metric). */
  onQuery?: (seconds: number) => void;
  /** Schedules the flush; `setImmediate` (after the I/O callbacks of this event-loop turn). */
  defer?: (flush: () => void) => void;
}

interface Pending {
  readonly rows: readonly ColumnRow[];
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Group commit for one table on one SQLite connection. Every request's INSERT committed on its
 * own costs a WAL frame write per request; the rows of all callers that arrive within one turn
 * of the event loop are instead written by one prepared INSERT, compiled once, inside one
 * transaction. Each caller's promise resolves only after that transaction committed, so a 200
 * still means "recorded" with the durability the pragmas give one commit (`synchronous=NORMAL`
 * in WAL mode: https://sqlite.org/pragma.html#pragma_synchronous). One caller's rows are always
 * in one transaction (all or none, as their single multi-row INSERT was). If the batch fails,
 * each caller's rows are retried in a transaction of their own, so a bad row (a duplicate key)
 * fails only the caller that sent it.
 */
export class SqliteGroupCommit {
  readonly #db: BetterSqlite3.Database;
  readonly #columns: readonly string[];
  readonly #sql: string;
  #insert: BetterSqlite3.Statement | undefined;
  readonly #writeAll: BetterSqlite3.Transaction<(batch: readonly Pending[]) => void>;
  readonly #onQuery: ((seconds: number) => void) | undefined;
  readonly #defer: (flush: () => void) => void;
  #pending: Pending[] = [];
  #scheduled = false;

  constructor(db: BetterSqlite3.Database, options: GroupCommitOptions) {
    this.#db = db;
    this.#columns = options.columns;
    const names = options.columns.map((c) => `"${c}"`).join(', ');
    const slots = options.columns.map(() => '?').join(', ');
    this.#sql = `INSERT INTO "${options.table}" (${names}) VALUES (${slots})`;
    this.#writeAll = db.transaction((batch: readonly Pending[]) => {
      // Prepared at the first write, not here: storage opens before migrations create the table.
      const insert = (this.#insert ??= db.prepare(this.#sql));
      for (const entry of batch) for (const row of entry.rows) insert.run(this.#values(row));
    });
    this.#onQuery = options.onQuery;
    this.#defer = options.defer ?? ((flush) => setImmediate(flush));
  }

  /** Queues `rows` for the next flush; resolves once they are committed. */
  readonly write: RowWriter = (rows) => {
    if (rows.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.#pending.push({ rows, resolve, reject });
      this.#schedule();
    });
  };

  /** Writes whatever is queued now (storage calls it before closing the connection). */
  flush(): void {
    if (this.#pending.length === 0) return;
    const batch = this.#pending;
    this.#pending = [];
    try {
      this.#commit(batch);
    } catch (error) {
      if (batch.length === 1) return batch[0]?.reject(unavailable(error));
      for (const entry of batch) this.#commitAlone(entry);
      return;
    }
    for (const entry of batch) entry.resolve();
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    this.#defer(this.#onTurn);
  }

  readonly #onTurn = (): void => {
    this.#scheduled = false;
    // A Kysely transaction keeps the one connection open across its awaits; rows written now
    // would commit or roll back with it. Wait for it to end.
    if (this.#db.inTransaction) return this.#schedule();
    this.flush();
  };

  #commitAlone(entry: Pending): void {
    try {
      this.#commit([entry]);
    } catch (error) {
      entry.reject(unavailable(error));
      return;
    }
    entry.resolve();
  }

  #commit(batch: readonly Pending[]): void {
    const start = process.hrtime.bigint();
    // IMMEDIATE takes the write lock at BEGIN, so busy_timeout applies there and not to a
    // lock upgrade halfway through the batch.
    this.#writeAll.immediate(batch);
    this.#onQuery?.(Number(process.hrtime.bigint() - start) / 1e9);
  }

  #values(row: ColumnRow): unknown[] {
    return this.#columns.map((column) => row[column] ?? null);
  }
}
