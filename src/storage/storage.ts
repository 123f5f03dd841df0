import type { AuditEventRepository } from '../repositories/audit-event-repository.js';
import type { Repositories } from '../repositories/repositories.js';

/** The storage backends (spec D-less: ours). `memory` is SQLite `:memory:`. */
export type StorageBackend = 'sqlite' | 'memory' | 'postgresql';

/** SQLite PRAGMAs applied when a connection opens (https://sqlite.org/pragma.html). */
export interface SqlitePragmas {
  journal_mode: string;
  synchronous: string;
  cache_size: number;
  temp_store: string;
  busy_timeout: number;
  foreign_keys: boolean;
}

/** Everything needed to open one backend. */
export type StorageOptions =
  | { backend: 'sqlite'; path: string; pragmas: SqlitePragmas; statementCacheSize?: number }
  | { backend: 'memory'; pragmas: SqlitePragmas; statementCacheSize?: number }
  | {
      backend: 'postgresql';
      /** A `postgresql://` URL, or the connection fields below. */
      connectionString?: string;
      host?: string;
      port?: number;
      database?: string;
      user?: string;
      password?: string;
      poolSize: number;
    };

/** One applied or pending migration. */
export interface MigrationState {
  name: string;
  /** When it ran; `null` while pending. */
  executedAt: Date | null;
}

/** What `migrate()` did. */
export interface MigrationReport {
  applied: string[];
  /** True when an existing Authly schema was found and recorded as the baseline. */
  adoptedBaseline: boolean;
}

/**
 * Named, time-limited leases in the database, so that of several instances sharing it only one
 * runs a periodic job at a time, without any coordinator but the database itself.
 */
export interface LeaseStore {
  /**
   * Takes lease `name` for `holder` until `until`, provided nobody holds it at `now` (its previous
   * term ended): one atomic statement, so of two instances asking at once exactly one gets it.
   * True when taken.
   */
  acquire(name: string, holder: string, now: Date, until: Date): Promise<boolean>;
}

/** An open storage backend: repositories plus lifecycle. */
export interface Storage {
  readonly backend: StorageBackend;
  readonly repositories: Repositories;
  readonly leases: LeaseStore;
  /** Security events, when `audit.sink` is `database`. */
  readonly auditEvents: AuditEventRepository;
  /**
   * On a SQLite file: a number that changes whenever another connection (another process on the
   * same file) commits, and stays put for this connection's own commits (`PRAGMA data_version`,
   * https://sqlite.org/pragma.html#pragma_data_version). An in-process cache compares it before
   * serving, so a write by another instance empties it. Absent where no other connection can
   * write (`:memory:`) or where it cannot be known this cheaply (PostgreSQL).
   */
  readonly externalChanges?: () => number;
  /** Applies pending migrations in order, each in a transaction. */
  migrate(): Promise<MigrationReport>;
  /** Every known migration with its state. */
  migrationStatus(): Promise<MigrationState[]>;
  /** The connection pool's usage (PostgreSQL); absent on SQLite. */
  poolStats?(): { total: number; idle: number; waiting: number; max: number };
  /** Resolves when the database answers a trivial query; rejects otherwise. */
  ping(): Promise<void>;
  /** Closes connections; idempotent. */
  close(): Promise<void>;
}
