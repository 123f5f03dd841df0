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

/**
 * Rows read per batch: few enough round trips, and small enough that a batch seldom outlives a
 * young-generation collection, so that memory stays flat.
 */
export const READ_BATCH = 500;

/** `"name"` with embedded quotes doubled: the identifier quoting of both engines. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
