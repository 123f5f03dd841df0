import type { SqlFlavour } from '../kysely/codec.js';
import type { DatabaseSchema, TableSchema } from './schema.js';
import type { WireRow } from './values.js';
import type { SchemaVersion } from './version.js';

/**
 * A database read inside one consistent snapshot: its schema, version, row counts and rows in
 * batches. Nothing is written to it, and no lock beyond what the snapshot's reads take.
 */
export interface SourceDatabase {
  readonly label: string;
  readonly dialect: SqlFlavour;
  readonly schema: DatabaseSchema;
  readonly version: SchemaVersion;
  count(table: TableSchema): Promise<number>;
  /** Every row of `table`, columns in `table.columns` order, as wire values, `batchSize` at a time. */
  rows(table: TableSchema, batchSize: number): AsyncIterable<WireRow[]>;
  /** Ends the snapshot and closes the connection; idempotent. */
  close(): Promise<void>;
}

/** Rows read per batch: bounded memory, and few enough round trips. */
export const READ_BATCH = 1000;

/** `"name"` with embedded quotes doubled: the identifier quoting of both engines. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
