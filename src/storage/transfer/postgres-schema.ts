import type pg from 'pg';
import { postgresKind } from './kinds.js';
import { BOOKKEEPING_TABLES, dependencyOrder } from './schema.js';
import type { DatabaseSchema, TableSchema } from './schema.js';

/*
 * The data tables of the current schema from pg_catalog (https://www.postgresql.org/docs/current/catalogs.html):
 * ordinary and partitioned tables, their non-generated columns with type names, primary keys and
 * foreign keys. Read-only catalog queries, so they run inside a READ ONLY snapshot.
 */
const COLUMNS = `
  SELECT c.relname AS table_name, a.attname AS column_name, t.typname AS type_name,
         CASE WHEN t.typcategory = 'A' THEN e.typname END AS element_name
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
  JOIN pg_type t ON t.oid = a.atttypid
  LEFT JOIN pg_type e ON e.oid = t.typelem
  WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')
  ORDER BY c.relname, a.attnum`;

const PRIMARY_KEYS = `
  SELECT c.relname AS table_name, a.attname AS column_name
  FROM pg_constraint k
  JOIN pg_class c ON c.oid = k.conrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  CROSS JOIN LATERAL unnest(k.conkey) WITH ORDINALITY AS key(attnum, position)
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = key.attnum
  WHERE n.nspname = current_schema() AND k.contype = 'p'
  ORDER BY c.relname, key.position`;

const FOREIGN_KEYS = `
  SELECT DISTINCT c.relname AS table_name, p.relname AS parent_name
  FROM pg_constraint k
  JOIN pg_class c ON c.oid = k.conrelid
  JOIN pg_class p ON p.oid = k.confrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname = current_schema() AND k.contype = 'f'`;

/** Reads the schema through `client`, which may be inside a transaction. */
export async function readPostgresSchema(client: pg.ClientBase): Promise<DatabaseSchema> {
  const tables = new Map<string, TableSchema>();
  const columns = await client.query<{ table_name: string; column_name: string; type_name: string; element_name: string | null }>(COLUMNS);
  for (const row of columns.rows) {
    if (BOOKKEEPING_TABLES.has(row.table_name)) continue;
    let table = tables.get(row.table_name);
    if (table === undefined) {
      table = { name: row.table_name, columns: [], primaryKey: [], references: [] };
      tables.set(row.table_name, table);
    }
    table.columns.push({ name: row.column_name, kind: postgresKind(row.type_name, row.element_name) });
  }
  for (const row of (await client.query<{ table_name: string; column_name: string }>(PRIMARY_KEYS)).rows) {
    tables.get(row.table_name)?.primaryKey.push(row.column_name);
  }
  for (const row of (await client.query<{ table_name: string; parent_name: string }>(FOREIGN_KEYS)).rows) {
    if (row.parent_name !== row.table_name) tables.get(row.table_name)?.references.push(row.parent_name);
  }
  return { dialect: 'postgresql', tables: dependencyOrder([...tables.values()]) };
}

/** Names of every table of the current schema, bookkeeping included. */
export async function postgresTableNames(client: pg.ClientBase): Promise<Set<string>> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')`,
  );
  return new Set(rows.map((row) => row.name));
}
