import type BetterSqlite3 from 'better-sqlite3';
import { sqliteKind } from './kinds.js';
import { BOOKKEEPING_TABLES, dependencyOrder } from './schema.js';
import type { DatabaseSchema, TableSchema } from './schema.js';

interface ColumnRow {
  name: string;
  type: string;
  pk: number;
  hidden: number;
}

/**
 * The data tables of a SQLite database from `sqlite_master`, `pragma_table_xinfo` and
 * `pragma_foreign_key_list` (https://sqlite.org/pragma.html), so a column or table added by a
 * later migration is carried without this tool knowing it.
 */
export function readSqliteSchema(raw: BetterSqlite3.Database): DatabaseSchema {
  const tables = raw
    .prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name`)
    .all() as { name: string; sql: string }[];
  const columnsOf = raw.prepare('SELECT name, type, pk, hidden FROM pragma_table_xinfo(?) ORDER BY cid');
  const referencesOf = raw.prepare('SELECT DISTINCT "table" AS parent FROM pragma_foreign_key_list(?)');
  const result: TableSchema[] = [];
  for (const { name, sql } of tables) {
    if (BOOKKEEPING_TABLES.has(name)) continue;
    // hidden 2 and 3 are generated columns; 1 is a virtual table's hidden column.
    const columns = (columnsOf.all(name) as ColumnRow[]).filter((column) => column.hidden === 0);
    result.push({
      name,
      columns: columns.map((column) => ({ name: column.name, kind: sqliteKind(column.name, column.type, sql) })),
      primaryKey: columns.filter((column) => column.pk > 0).sort((a, b) => a.pk - b.pk).map((column) => column.name),
      references: (referencesOf.all(name) as { parent: string }[]).map((row) => row.parent).filter((parent) => parent !== name),
    });
  }
  return { dialect: 'sqlite', tables: dependencyOrder(result) };
}

/** Names of every table, bookkeeping included, for telling an empty database from an Authly one. */
export function sqliteTableNames(raw: BetterSqlite3.Database): Set<string> {
  const rows = raw.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as { name: string }[];
  return new Set(rows.map((row) => row.name));
}
