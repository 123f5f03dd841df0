import { sql } from 'kysely';
import type { Migration } from 'kysely';
import type { MigrationDb, SqlFlavour } from './flavour.js';

/*
 * SQLite before 3.45 answers json_valid(NULL) with 0, not NULL, so `CHECK (json_valid(col))`
 * holds for a NULL column only on newer SQLite (the one better-sqlite3 bundles). Older tools
 * reading the same file — Debian 12's sqlite3 CLI (3.40) running `PRAGMA integrity_check`, a
 * backup script, a VACUUM INTO — see every NULL JSON column as a CHECK violation. Written as
 * `col IS NULL OR json_valid(col)`, the rule means the same on every version.
 */

/** `CHECK (json_valid(c) AND json_type(c) = 'array')`: a TEXT[] column in the SQLite baseline. */
const ARRAY_CHECK = /CHECK \(json_valid\((\w+)\) AND json_type\(\1\) = 'array'\)/g;
/** `CHECK (json_valid(c))`: a JSONB column in the SQLite baseline. */
const JSON_CHECK = /CHECK \(json_valid\((\w+)\)\)/g;

/** The table's CREATE statement with every JSON CHECK made NULL-safe; unchanged if none needs it. */
export function nullSafeJsonChecks(createTable: string): string {
  return createTable
    .replace(ARRAY_CHECK, (_match, column: string) => `CHECK (${column} IS NULL OR (json_valid(${column}) AND json_type(${column}) = 'array'))`)
    .replace(JSON_CHECK, (_match, column: string) => `CHECK (${column} IS NULL OR json_valid(${column}))`);
}

const CREATE_TABLE_NAME = /^CREATE TABLE\s+("?)(\w+)\1/i;

/**
 * Replaces table `name` by one created with `createTable` (same columns, in the same order), as
 * https://sqlite.org/lang_altertable.html#otheralter prescribes: create the new table, copy the
 * rows, drop the old one, rename the new one, then recreate the old table's indexes and triggers
 * from their stored SQL. Runs inside the migration's transaction; the migrator turns foreign keys
 * off around it (DROP TABLE of a parent would otherwise cascade into its children) and checks
 * them before committing.
 */
async function rebuildTable(db: MigrationDb, name: string, createTable: string): Promise<void> {
  const companions = await sql<{ sql: string }>`
    SELECT sql FROM sqlite_master
    WHERE tbl_name = ${name} AND type IN ('index', 'trigger') AND sql IS NOT NULL
    ORDER BY type, name`.execute(db);
  const temporary = `${name}__rebuild`;
  if (!CREATE_TABLE_NAME.test(createTable)) throw new Error(`unexpected schema SQL for table ${name}`);
  await sql.raw(createTable.replace(CREATE_TABLE_NAME, `CREATE TABLE "${temporary}"`)).execute(db);
  await sql`INSERT INTO ${sql.table(temporary)} SELECT * FROM ${sql.table(name)}`.execute(db);
  await sql`DROP TABLE ${sql.table(name)}`.execute(db);
  await sql`ALTER TABLE ${sql.table(temporary)} RENAME TO ${sql.table(name)}`.execute(db);
  for (const companion of companions.rows) await sql.raw(companion.sql).execute(db);
}

/**
 * Rewrites SQLite's JSON CHECKs as `col IS NULL OR json_valid(col)` (see above). SQLite cannot
 * alter a CHECK, so each table whose stored definition has one is rebuilt from that definition,
 * which keeps any column a later change added. PostgreSQL's JSONB and TEXT[] need no such check:
 * nothing to do there.
 */
export function sqliteJsonChecks(flavour: SqlFlavour): Migration {
  return {
    async up(db: MigrationDb): Promise<void> {
      if (flavour !== 'sqlite') return;
      const tables = await sql<{ name: string; sql: string }>`
        SELECT name, sql FROM sqlite_master
        WHERE type = 'table' AND sql LIKE '%json_valid(%' AND name NOT LIKE 'sqlite_%'
        ORDER BY name`.execute(db);
      for (const table of tables.rows) {
        const rewritten = nullSafeJsonChecks(table.sql);
        if (rewritten !== table.sql) await rebuildTable(db, table.name, rewritten);
      }
    },
  };
}
