import { randomUUID } from 'node:crypto';
import type BetterSqlite3 from 'better-sqlite3';
import { sql, type Kysely } from 'kysely';
import { systemClock, type Clock, type IdGenerator, type Logger } from '../repositories/ports.js';
import { postgresCodec, sqliteCodec, type Codec } from '../storage/kysely/codec.js';
import { createKyselyRepositories } from '../storage/kysely/create-repositories.js';
import { KyselyLeaseStore } from '../storage/kysely/lease-store.js';
import { KyselyAuditEventRepository } from '../storage/kysely/audit-event-repository.js';
import type { Database } from '../storage/kysely/database.js';
import { migrationStatus, runMigrations } from '../storage/migrator.js';
import { openPostgres } from '../storage/postgres/open.js';
import { openSqlite } from '../storage/sqlite/open.js';
import { SqliteGroupCommit } from '../storage/sqlite/group-commit.js';
import { SqliteKeyLookup } from '../storage/sqlite/key-lookup.js';
import { sqliteTokenStatements } from '../storage/sqlite/token-statements.js';
import { TOKEN_COLUMNS } from '../storage/kysely/token-repository.js';
import type { Storage, StorageBackend, StorageOptions } from '../storage/storage.js';
import { queryTimer } from '../metrics/query-timer.js';
import type { PoolSnapshot } from '../metrics/registry.js';

/** What storage needs from the outside world; tests inject a fixed clock or id source. */
export interface StorageDeps {
  logger?: Logger;
  clock?: Clock;
  ids?: IdGenerator;
  /** Called with each successful statement's duration in seconds (metrics). */
  onQuery?: (seconds: number) => void;
}

const randomIds: IdGenerator = { uuid: randomUUID };

interface Opened {
  db: Kysely<Database>;
  /** SQLite's connection, for the token group commit. */
  raw?: BetterSqlite3.Database;
  codec: Codec;
  externalChanges?: () => number;
  poolStats?: () => PoolSnapshot;
}

async function openBackend(options: StorageOptions, logger: Logger | undefined): Promise<Opened> {
  // The one switch over backends: everything after it is shared.
  switch (options.backend) {
    case 'sqlite': {
      const { db, raw } = openSqlite(options);
      const dataVersion = raw.prepare('PRAGMA data_version').pluck();
      return { db, raw, codec: sqliteCodec, externalChanges: () => dataVersion.get() as number };
    }
    case 'memory': {
      const { db, raw } = openSqlite({ ...options, path: ':memory:' });
      return { db, raw, codec: sqliteCodec };
    }
    case 'postgresql': {
      const { db, pool } = await openPostgres({ ...options, onConnectionError: (err) => logger?.warn({ err }, 'PostgreSQL connection lost') });
      const poolStats = () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max: options.poolSize });
      return { db, codec: postgresCodec, poolStats };
    }
  }
}

/**
 * Opens the configured backend and returns its repositories. Services only ever see the
 * `Repositories` bundle, so they cannot tell SQLite from PostgreSQL.
 */
export async function openStorage(options: StorageOptions, deps: StorageDeps = {}): Promise<Storage> {
  const opened = await openBackend(options, deps.logger);
  const { codec, poolStats, externalChanges } = opened;
  // Every statement of the repositories, leases and migrations is timed through one plugin.
  const db = deps.onQuery ? opened.db.withPlugin(queryTimer(deps.onQuery)) : opened.db;
  const backend: StorageBackend = options.backend;
  // SQLite has one connection: token inserts and the compare-and-set that spends a token, of one
  // event-loop turn, share a commit; the per-request lookups by jti and of a family's revocation
  // marker are statements prepared once.
  const timed = deps.onQuery ? { onQuery: deps.onQuery } : {};
  const groupCommit = opened.raw && new SqliteGroupCommit(opened.raw, { table: 'tokens', columns: TOKEN_COLUMNS, ...timed });
  const byJti = opened.raw && new SqliteKeyLookup(opened.raw, { table: 'tokens', column: 'token_jti', ...timed });
  const familyRevocation = opened.raw && new SqliteKeyLookup(opened.raw, { table: 'token_family_revocations', column: 'grant_id', ...timed });
  const ctx = { db, codec, clock: deps.clock ?? systemClock, ids: deps.ids ?? randomIds };
  let closed = false;
  return {
    backend,
    ...(externalChanges ? { externalChanges } : {}),
    repositories: createKyselyRepositories(ctx, groupCommit && byJti && familyRevocation ? { tokens: sqliteTokenStatements(groupCommit, byJti, familyRevocation) } : {}),
    leases: new KyselyLeaseStore({ db, codec }),
    auditEvents: new KyselyAuditEventRepository({ db, codec }),
    migrate: () => runMigrations(db, codec.flavour),
    migrationStatus: () => migrationStatus(db, codec.flavour),
    ...(poolStats ? { poolStats } : {}),
    async ping() {
      await sql`SELECT 1`.execute(db);
    },
    async close() {
      if (closed) return;
      closed = true;
      groupCommit?.flush();
      await db.destroy();
    },
  };
}
