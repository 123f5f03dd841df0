import type { SqlFlavour } from '../kysely/codec.js';
import type { ValueKind } from './kinds.js';

/** One column as the live catalog describes it. */
export interface ColumnSchema {
  name: string;
  kind: ValueKind;
}

/** One table as the live catalog describes it. */
export interface TableSchema {
  name: string;
  /** In the catalog's order; generated columns are left out (they cannot be inserted). */
  columns: ColumnSchema[];
  /** Primary-key columns; empty when the table has none. */
  primaryKey: string[];
  /** Tables this one has foreign keys to (itself excluded). */
  references: string[];
}

/** The data tables of one database, parents before the tables that reference them. */
export interface DatabaseSchema {
  dialect: SqlFlavour;
  tables: TableSchema[];
}

/**
 * Bookkeeping tables that are not data: the migrator's record and its lock row. Their content
 * describes the database they are in, so it is never copied; versions are compared instead.
 */
export const BOOKKEEPING_TABLES: ReadonlySet<string> = new Set(['authly_schema_migrations', 'authly_schema_migrations_lock']);

/**
 * Sorts tables so that every table comes after the tables it references (Kahn's algorithm,
 * ties by name so the order is stable). Tables in a reference cycle follow in name order: SQLite
 * defers its checks to the commit, PostgreSQL would report the dangling row.
 */
export function dependencyOrder(tables: readonly TableSchema[]): TableSchema[] {
  const byName = new Map(tables.map((table) => [table.name, table]));
  const pending = new Map(tables.map((table) => [table.name, new Set(table.references.filter((ref) => byName.has(ref) && ref !== table.name))]));
  const ordered: TableSchema[] = [];
  while (pending.size > 0) {
    const ready = [...pending].filter(([, refs]) => refs.size === 0).map(([name]) => name).sort();
    const next = ready.length > 0 ? ready : [[...pending.keys()].sort()[0]!];
    for (const name of next) {
      pending.delete(name);
      ordered.push(byName.get(name)!);
      for (const refs of pending.values()) refs.delete(name);
    }
  }
  return ordered;
}

/** A table by name, or undefined. */
export function findTable(schema: DatabaseSchema, name: string): TableSchema | undefined {
  return schema.tables.find((table) => table.name === name);
}
