import type BetterSqlite3 from 'better-sqlite3';
import { sqliteUnavailable as unavailable } from './unavailable.js';

/** Rows keyed by column name, as `encodeRow` makes them; a missing column is written as NULL. */
export type ColumnRow = Readonly<Record<string, unknown>>;

/** Writes rows durably; the promise settles once the transaction holding them committed or failed. */
export type RowWriter = (rows: readonly ColumnRow[]) => Promise<void>;

/**
 * Runs one UPDATE or DELETE (`sql` with positional `params`) durably; resolves with the number of
 * rows it changed once the transaction holding it committed.
 */
export type RowChanger = (sql: string, params: readonly unknown[]) => Promise<number>;

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

/** One caller's work: runs inside the batch's transaction and returns what the caller hears once it committed. */
interface Pending {
  readonly run: () => number;
  readonly resolve: (changed: number) => void;
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
 *
 * A compare-and-set (`change`: an UPDATE whose WHERE names the old value) joins the same batch.
 * Its changed-row count is known inside the transaction and handed to its caller only after the
 * commit, so the caller still learns whether it won before it answers. Entries run in the order
 * they arrived on the one connection, so of two compare-and-sets on the same row in one batch the
 * first changes it and the second sees the change and changes nothing: exactly one wins, as with
 * one commit each. A batch that fails rolls back whole and each entry is retried alone, where
 * the same holds.
 */
export class SqliteGroupCommit {
  readonly #db: BetterSqlite3.Database;
  readonly #columns: readonly string[];
  readonly #sql: string;
  #insert: BetterSqlite3.Statement | undefined;
  readonly #statements = new Map<string, BetterSqlite3.Statement>();
  readonly #writeAll: BetterSqlite3.Transaction<(batch: readonly Pending[]) => number[]>;
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
    this.#writeAll = db.transaction((batch: readonly Pending[]) => batch.map((entry) => entry.run()));
    this.#onQuery = options.onQuery;
    this.#defer = options.defer ?? ((flush) => setImmediate(flush));
  }

  /** Queues `rows` for the next flush; resolves once they are committed. */
  readonly write: RowWriter = (rows) => {
    if (rows.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const run = (): number => {
        // Prepared at the first write, not here: storage opens before migrations create the table.
        const insert = (this.#insert ??= this.#db.prepare(this.#sql));
        for (const row of rows) insert.run(this.#values(row));
        return rows.length;
      };
      this.#pending.push({ run, resolve: () => resolve(), reject });
      this.#schedule();
    });
  };

  /** Queues one UPDATE or DELETE for the next flush; resolves with the rows it changed once committed. */
  readonly change: RowChanger = (sql, params) =>
    new Promise<number>((resolve, reject) => {
      const run = (): number => this.#statement(sql).run(...params).changes;
      this.#pending.push({ run, resolve, reject });
      this.#schedule();
    });

  /** Writes whatever is queued now (storage calls it before closing the connection). */
  flush(): void {
    if (this.#pending.length === 0) return;
    const batch = this.#pending;
    this.#pending = [];
    let changed: number[];
    try {
      changed = this.#commit(batch);
    } catch (error) {
      if (batch.length === 1) return batch[0]?.reject(unavailable(error));
      for (const entry of batch) this.#commitAlone(entry);
      return;
    }
    batch.forEach((entry, i) => entry.resolve(changed[i] ?? 0));
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
    let changed: number[];
    try {
      changed = this.#commit([entry]);
    } catch (error) {
      entry.reject(unavailable(error));
      return;
    }
    entry.resolve(changed[0] ?? 0);
  }

  #commit(batch: readonly Pending[]): number[] {
    const start = process.hrtime.bigint();
    // IMMEDIATE takes the write lock at BEGIN, so busy_timeout applies there and not to a
    // lock upgrade halfway through the batch.
    const changed = this.#writeAll.immediate(batch);
    this.#onQuery?.(Number(process.hrtime.bigint() - start) / 1e9);
    return changed;
  }

  /** `sql` prepared once (the few statements callers pass are fixed strings). */
  #statement(sql: string): BetterSqlite3.Statement {
    let statement = this.#statements.get(sql);
    if (!statement) this.#statements.set(sql, (statement = this.#db.prepare(sql)));
    return statement;
  }

  #values(row: ColumnRow): unknown[] {
    return this.#columns.map((column) => row[column] ?? null);
  }
}
