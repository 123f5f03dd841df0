import { sql } from 'kysely';
import type { Migration } from 'kysely';
import { POSTGRES_BASELINE_DDL } from './baseline-postgres.js';
import { SQLITE_BASELINE_DDL, SQLITE_UUID_V4 } from './baseline-sqlite.js';
import type { MigrationDb, SqlFlavour } from './flavour.js';
import { SEED_SCOPES } from './seed-scopes.js';

/** Hooks the migrator passes in to learn what the baseline found. */
export interface BaselineHooks {
  /** Called when Authly's tables already existed, i.e. the baseline adopted a database. */
  onAdopt?: () => void;
}

/**
 * An existing Authly database is recognised by its two central tables: their
 * presence before the baseline runs means someone else's DDL created the schema.
 */
async function authlyTablesExist(db: MigrationDb, flavour: SqlFlavour): Promise<boolean> {
  if (flavour === 'postgresql') {
    const { rows } = await sql<{ found: boolean }>`
      SELECT to_regclass('users') IS NOT NULL AND to_regclass('oauth_clients') IS NOT NULL AS found
    `.execute(db);
    return rows[0]?.found === true;
  }
  const { rows } = await sql<{ n: number }>`
    SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name IN ('users', 'oauth_clients')
  `.execute(db);
  return Number(rows[0]?.n) === 2;
}

/**
 * The seed scopes. ON CONFLICT DO NOTHING, as upstream: on an adopted database the
 * rows exist, possibly with descriptions rewritten by start-up bootstrap, and must stay as they are.
 */
async function seedScopes(db: MigrationDb, flavour: SqlFlavour): Promise<void> {
  const rows = SEED_SCOPES.map((scope) =>
    flavour === 'postgresql'
      ? {
          scope_name: scope.scopeName,
          description: scope.description,
          is_default: scope.isDefault,
          is_active: scope.isActive,
        }
      : {
          // SQLite has no gen_random_uuid(); the id is a random v4 UUID computed in SQL.
          id: sql.raw(SQLITE_UUID_V4),
          scope_name: scope.scopeName,
          description: scope.description,
          is_default: scope.isDefault ? 1 : 0,
          is_active: scope.isActive ? 1 : 0,
        },
  );
  await db
    .insertInto('oauth_scopes')
    .values(rows)
    .onConflict((conflict) => conflict.column('scope_name').doNothing())
    .execute();
}

/**
 * Authly's schema: every table, constraint, index and trigger, plus the seed scopes.
 * Every statement is idempotent, so on PostgreSQL it adopts a database created by Authly's own
 * `init-db-and-user.sql` without touching its rows. No `down`: dropping the baseline would drop
 * every table, including those of an adopted database.
 */
export function authlyBaseline(flavour: SqlFlavour, hooks: BaselineHooks = {}): Migration {
  const ddl = flavour === 'postgresql' ? POSTGRES_BASELINE_DDL : SQLITE_BASELINE_DDL;
  return {
    async up(db: MigrationDb): Promise<void> {
      if (await authlyTablesExist(db, flavour)) hooks.onAdopt?.();
      for (const statement of ddl) {
        await sql.raw(statement).execute(db);
      }
      await seedScopes(db, flavour);
    },
  };
}
