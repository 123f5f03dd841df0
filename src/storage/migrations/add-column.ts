import { sql } from 'kysely';
import type { MigrationDb, SqlFlavour } from './flavour.js';

/** A column to add, with its type on each engine: nullable, or NOT NULL with a DEFAULT. */
export interface NewColumn {
  table: string;
  column: string;
  postgresType: string;
  sqliteType: string;
}

/**
 * Adds a column unless it is already there, so a migration can be re-run, or run on a
 * database where someone added the column by hand. PostgreSQL says `IF NOT EXISTS`; SQLite's
 * ALTER TABLE cannot, so the table is asked first. Names are fixed strings of the migrations.
 */
export async function addColumnIfMissing(db: MigrationDb, flavour: SqlFlavour, c: NewColumn): Promise<void> {
  if (flavour === 'postgresql') {
    await sql`ALTER TABLE ${sql.ref(c.table)} ADD COLUMN IF NOT EXISTS ${sql.ref(c.column)} ${sql.raw(c.postgresType)}`.execute(db);
    return;
  }
  const { rows } = await sql<{ name: string }>`SELECT name FROM pragma_table_info(${c.table}) WHERE name = ${c.column}`.execute(db);
  if (rows.length === 0) await sql`ALTER TABLE ${sql.ref(c.table)} ADD COLUMN ${sql.ref(c.column)} ${sql.raw(c.sqliteType)}`.execute(db);
}
