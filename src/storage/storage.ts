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

/** An open storage backend: repositories plus lifecycle. */
export interface Storage {
  readonly backend: StorageBackend;
  readonly repositories: Repositories;
  /** Applies pending migrations in order, each in a transaction. */
  migrate(): Promise<MigrationReport>;
  /** Every known migration with its state. */
  migrationStatus(): Promise<MigrationState[]>;
  /** Resolves when the database answers a trivial query; rejects otherwise. */
  ping(): Promise<void>;
  /** Closes connections; idempotent. */
  close(): Promise<void>;
}
