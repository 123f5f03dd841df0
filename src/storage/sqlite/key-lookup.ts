import type BetterSqlite3 from 'better-sqlite3';
import { sqliteUnavailable } from './unavailable.js';

/** A row keyed by column name, as the driver returns it. */
export type KeyedRow = Record<string, unknown>;

/** Where {@link SqliteKeyLookup} reads, and what it reports. */
export interface KeyLookupOptions {
  table: string;
  /** A column with a UNIQUE index: at most one row matches. */
  column: string;
  /** Called with each lookup's duration in seconds (the storage query metric). */
  onQuery?: (seconds: number) => void;
}

/**
 * `SELECT * FROM table WHERE column = ?` through one better-sqlite3 statement prepared once. On
 * the hot path (introspection and refresh look a token up by `jti` on every request) Kysely's
 * per-call query building and compiling cost more than SQLite's index search; this skips both.
 * While a Kysely transaction holds the one connection the read would see that transaction's
 * uncommitted rows, so then the caller's own (queued) query runs instead.
 */
export class SqliteKeyLookup {
  readonly #db: BetterSqlite3.Database;
  readonly #sql: string;
  readonly #onQuery: ((seconds: number) => void) | undefined;
  #statement: BetterSqlite3.Statement<[unknown], KeyedRow> | undefined;

  constructor(db: BetterSqlite3.Database, options: KeyLookupOptions) {
    this.#db = db;
    this.#sql = `SELECT * FROM "${options.table}" WHERE "${options.column}" = ?`;
    this.#onQuery = options.onQuery;
  }

  /** The row whose key is `key`, or `undefined`; `queued` runs instead inside a transaction. */
  readonly find = (key: string, queued: () => Promise<KeyedRow | undefined>): Promise<KeyedRow | undefined> => {
    if (this.#db.inTransaction) return queued();
    try {
      const start = process.hrtime.bigint();
      // Prepared at the first lookup, not at construction: storage opens before migrations run.
      const row = (this.#statement ??= this.#db.prepare<[unknown], KeyedRow>(this.#sql)).get(key);
      this.#onQuery?.(Number(process.hrtime.bigint() - start) / 1e9);
      return Promise.resolve(row);
    } catch (error) {
      return Promise.reject(sqliteUnavailable(error));
    }
  };
}
