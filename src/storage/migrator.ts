import { Migrator, sql } from 'kysely';
import type { MigrationResultSet } from 'kysely';
import { authlyMigrationProvider, BASELINE_MIGRATION } from './migrations/index.js';
import type { BaselineHooks, MigrationDb, SqlFlavour } from './migrations/index.js';
import type { MigrationReport, MigrationState } from './storage.js';

export type { MigrationDb, SqlFlavour } from './migrations/index.js';

/** Table recording applied migrations; prefixed so it cannot clash with Authly's. */
export const MIGRATION_TABLE = 'authly_schema_migrations';
/** Kysely's lock-row table for the same. */
export const MIGRATION_LOCK_TABLE = 'authly_schema_migrations_lock';

/** A migration failed (or the migration bookkeeping did); nothing of that migration was kept. */
export class MigrationError extends Error {
  override readonly name = 'MigrationError';
  /** The migration that failed; `null` when the failure was outside any one migration. */
  readonly migrationName: string | null;

  constructor(migrationName: string | null, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(
      migrationName === null
        ? `database migrations could not run: ${reason}`
        : `database migration ${migrationName} failed: ${reason}`,
      { cause },
    );
    this.migrationName = migrationName;
  }
}

function createMigrator(db: MigrationDb, flavour: SqlFlavour, hooks: BaselineHooks = {}, disableTransactions = false): Migrator {
  return new Migrator({
    db,
    provider: authlyMigrationProvider(flavour, hooks),
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: MIGRATION_LOCK_TABLE,
    disableTransactions,
  });
}

async function rollbackQuietly(conn: MigrationDb): Promise<void> {
  try {
    await sql`ROLLBACK`.execute(conn);
  } catch {
    // Some SQLite errors (SQLITE_FULL, SQLITE_IOERR, …) already rolled the transaction back;
    // the original failure is the one worth reporting.
  }
}

/** Rows `PRAGMA foreign_key_check` reports: references to rows that do not exist. */
async function foreignKeyViolations(conn: MigrationDb): Promise<number> {
  return (await sql`PRAGMA foreign_key_check`.execute(conn)).rows.length;
}

/**
 * Applies the next pending migration on SQLite inside one transaction. Kysely's SQLite adapter
 * says `supportsTransactionalDdl = false`, so its Migrator would run the DDL and the bookkeeping
 * row without a transaction; SQLite's DDL *is* transactional, so we hold one connection, open
 * the transaction ourselves and let the Migrator work inside it. BEGIN IMMEDIATE takes the write
 * lock up front, which also serialises two processes migrating the same file.
 *
 * Foreign keys are off during the migration, as https://sqlite.org/lang_altertable.html#otheralter
 * requires for rebuilding a table (DROP TABLE of a parent would cascade into its children). The
 * pragma cannot change inside a transaction, so it is switched around it; before COMMIT,
 * `PRAGMA foreign_key_check` must report no more violations than before the migration, or the
 * migration is rolled back.
 */
async function migrateUpSqlite(db: MigrationDb, hooks: BaselineHooks): Promise<MigrationResultSet> {
  return db.connection().execute(async (conn) => {
    const { rows } = await sql<{ foreign_keys: number }>`PRAGMA foreign_keys`.execute(conn);
    const enforced = rows[0]?.foreign_keys === 1;
    if (enforced) await sql`PRAGMA foreign_keys = OFF`.execute(conn);
    try {
      await sql`BEGIN IMMEDIATE`.execute(conn);
      let resultSet: MigrationResultSet;
      try {
        const before = enforced ? await foreignKeyViolations(conn) : 0;
        resultSet = await createMigrator(conn, 'sqlite', hooks).migrateUp();
        if (!('error' in resultSet) && enforced) {
          const after = await foreignKeyViolations(conn);
          if (after > before) {
            const name = resultSet.results?.[0]?.migrationName ?? null;
            throw new MigrationError(name, new Error(`it left ${after - before} rows referring to missing rows (PRAGMA foreign_key_check)`));
          }
        }
      } catch (error) {
        await rollbackQuietly(conn);
        throw error;
      }
      if ('error' in resultSet) await rollbackQuietly(conn);
      else await sql`COMMIT`.execute(conn);
      return resultSet;
    } finally {
      if (enforced) await sql`PRAGMA foreign_keys = ON`.execute(conn);
    }
  });
}

/** True when some migration has not been applied (read-only: creates nothing). */
async function hasPending(migrator: Migrator): Promise<boolean> {
  return (await migrator.getMigrations()).some((migration) => migration.executedAt === undefined);
}

/**
 * Applies pending migrations in name order, each in its own transaction together with the row
 * recording it in `authly_schema_migrations`. One `migrateUp()` step at a time,
 * because Kysely's `migrateToLatest()` would put all pending migrations in one PostgreSQL
 * transaction; per step, a failure keeps the migrations before it. On PostgreSQL Kysely also
 * takes a transaction-scoped advisory lock, so concurrent start-ups migrate once.
 *
 * `db` must not be a Transaction (Kysely's Migrator needs `db.connection()`).
 *
 * @throws MigrationError naming the failed migration, with the database error as `cause`.
 */
export async function runMigrations(db: MigrationDb, flavour: SqlFlavour): Promise<MigrationReport> {
  const adoption = watchAdoption();
  const migrator = createMigrator(db, flavour, adoption.hooks);
  const applied: string[] = [];
  for (;;) {
    // SQLite: the foreign-key checks around a migration scan every child table; skip them when
    // nothing is pending (every start-up).
    if (flavour === 'sqlite' && !(await hasPending(migrator))) break;
    const resultSet = flavour === 'sqlite' ? await migrateUpSqlite(db, adoption.hooks) : await migrator.migrateUp();
    const succeeded = succeededOrThrow(resultSet);
    if (succeeded.length === 0) break;
    applied.push(...succeeded);
  }
  return { applied, adoptedBaseline: adoption.adopted() && applied.includes(BASELINE_MIGRATION) };
}

/** Baseline hooks that remember whether the baseline adopted an existing Authly schema. */
function watchAdoption(): { hooks: BaselineHooks; adopted: () => boolean } {
  let adopted = false;
  return {
    hooks: {
      onAdopt: () => {
        adopted = true;
      },
    },
    adopted: () => adopted,
  };
}

/** Names of the migrations a run applied; a failed run becomes a MigrationError. */
function succeededOrThrow(resultSet: MigrationResultSet): string[] {
  if ('error' in resultSet) {
    const failed = resultSet.results?.find((result) => result.status === 'Error');
    throw new MigrationError(failed?.migrationName ?? null, resultSet.error);
  }
  return (resultSet.results ?? []).filter((result) => result.status === 'Success').map((result) => result.migrationName);
}

/**
 * Applies every pending migration inside a transaction the caller has already opened on the
 * single connection behind `conn`, so that the schema change commits or rolls back together
 * with whatever else the caller writes (`authly db import` and `copy`: a failed transfer leaves
 * the target exactly as it was, schema included). Kysely opens no transaction of its own here;
 * on PostgreSQL its advisory lock is transaction-scoped and so still serialises migrators.
 *
 * @throws MigrationError naming the failed migration; the caller rolls back.
 */
export async function runMigrationsInTransaction(conn: MigrationDb, flavour: SqlFlavour): Promise<MigrationReport> {
  const adoption = watchAdoption();
  const applied = succeededOrThrow(await createMigrator(conn, flavour, adoption.hooks, true).migrateToLatest());
  return { applied, adoptedBaseline: adoption.adopted() && applied.includes(BASELINE_MIGRATION) };
}

/**
 * Every known migration in the order it runs, with when it was applied (`null` = pending).
 * Read-only: on a database never migrated it reports everything pending and creates nothing.
 */
export async function migrationStatus(db: MigrationDb, flavour: SqlFlavour): Promise<MigrationState[]> {
  const migrations = await createMigrator(db, flavour).getMigrations();
  return migrations.map((migration) => ({
    name: migration.name,
    executedAt: migration.executedAt ?? null,
  }));
}
