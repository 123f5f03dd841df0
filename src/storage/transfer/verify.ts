import { adoptionMapper, emptyAdoptionStats } from './authly-origin.js';
import { RowSetChecksum } from './checksum.js';
import { assertReadableSource } from './copy.js';
import type { Endpoint } from './endpoint.js';
import { sharedKind } from './kinds.js';
import type { ValueKind } from './kinds.js';
import { openSource } from './open.js';
import { yieldToEventLoop } from './progress.js';
import type { ProgressListener } from './progress.js';
import { findTable } from './schema.js';
import type { TableSchema } from './schema.js';
import { READ_BATCH } from './source.js';
import type { SourceDatabase } from './source.js';
import type { TimestampDigits } from './timestamps.js';
import { normaliseForComparison } from './values.js';

/** Options of {@link verifyDatabases}. */
export interface VerifyOptions {
  left: Endpoint;
  right: Endpoint;
  progress?: ProgressListener;
}

/** One side of one table: its row count and content checksum, or null when the table is absent. */
export interface TableSide {
  rows: number;
  checksum: string;
}

/** One table compared. */
export interface TableComparison {
  table: string;
  left: TableSide | null;
  right: TableSide | null;
  match: boolean;
}

/** What `authly db verify` found. */
export interface VerifyReport {
  left: string;
  right: string;
  tables: TableComparison[];
  /** Number of tables that differ. */
  differences: number;
  /** What the comparison normalised or left out, for the operator. */
  notes: string[];
}

/** The columns both sides have, by name, with the kind both treat them as. */
function commonColumns(left: SourceDatabase, leftTable: TableSchema, right: SourceDatabase, rightTable: TableSchema): { name: string; kind: ValueKind }[] {
  return leftTable.columns
    .filter((column) => rightTable.columns.some((other) => other.name === column.name))
    .map((column) => {
      const other = rightTable.columns.find((candidate) => candidate.name === column.name)!;
      return { name: column.name, kind: sharedKind({ dialect: right.dialect, kind: other.kind }, { dialect: left.dialect, kind: column.kind }) };
    })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Row count and checksum of `columns` of one table on one side, streamed. */
async function measure(source: SourceDatabase, table: TableSchema, columns: { name: string; kind: ValueKind }[], digits: TimestampDigits, progress?: ProgressListener): Promise<TableSide> {
  const indexes = columns.map((column) => table.columns.findIndex((candidate) => candidate.name === column.name));
  const mapRow = adoptionMapper(source.version.origin, table.name, table.columns.map((column) => column.name), emptyAdoptionStats());
  const checksum = new RowSetChecksum();
  const total = await source.count(table);
  const label = `${table.name} (${source.label})`;
  let rows = 0;
  progress?.({ phase: 'start', table: label, done: 0, total });
  for await (const batch of source.rows(table, READ_BATCH)) {
    for (const row of batch) {
      mapRow?.(row);
      checksum.add(JSON.stringify(columns.map((column, i) => normaliseForComparison(column.kind, row[indexes[i]!], digits))));
    }
    rows += batch.length;
    progress?.({ phase: 'rows', table: label, done: rows, total });
    await yieldToEventLoop();
  }
  progress?.({ phase: 'done', table: label, done: rows, total });
  return { rows, checksum: checksum.hex() };
}

async function measureAlone(source: SourceDatabase, table: TableSchema): Promise<TableSide> {
  return { rows: await source.count(table), checksum: '' };
}

/**
 * Compares two databases table by table: row counts and a checksum of every row's content,
 * computed the same way on both sides from values normalised to what both engines can hold
 * (UUIDs in lower case, JSON with sorted keys, UTC timestamps cut to the coarser precision).
 * Each side is read in its own consistent snapshot and nothing is written.
 */
export async function verifyDatabases(options: VerifyOptions): Promise<VerifyReport> {
  const left = await openSource(options.left);
  try {
    const right = await openSource(options.right);
    try {
      assertReadableSource(left);
      assertReadableSource(right);
      const digits: TimestampDigits = left.dialect === 'sqlite' || right.dialect === 'sqlite' ? 3 : 6;
      const notes: string[] = [];
      if (digits === 3 && (left.dialect === 'postgresql' || right.dialect === 'postgresql')) {
        notes.push('timestamps compared to the millisecond: SQLite keeps milliseconds, PostgreSQL microseconds');
      }
      const names = [...new Set([...left.schema.tables, ...right.schema.tables].map((table) => table.name))];
      const tables: TableComparison[] = [];
      for (const name of names) {
        const leftTable = findTable(left.schema, name);
        const rightTable = findTable(right.schema, name);
        if (leftTable === undefined || rightTable === undefined) {
          const side = leftTable !== undefined ? await measureAlone(left, leftTable) : await measureAlone(right, rightTable!);
          const comparison = leftTable !== undefined ? { table: name, left: side, right: null } : { table: name, left: null, right: side };
          tables.push({ ...comparison, match: side.rows === 0 });
          continue;
        }
        const columns = commonColumns(left, leftTable, right, rightTable);
        for (const [table, other, label] of [[leftTable, rightTable, left.label], [rightTable, leftTable, right.label]] as const) {
          const only = table.columns.filter((column) => !other.columns.some((candidate) => candidate.name === column.name));
          if (only.length > 0) notes.push(`${name}: ${only.map((column) => column.name).join(', ')} only in ${label}, not compared`);
        }
        const leftSide = await measure(left, leftTable, columns, digits, options.progress);
        const rightSide = await measure(right, rightTable, columns, digits, options.progress);
        tables.push({ table: name, left: leftSide, right: rightSide, match: leftSide.rows === rightSide.rows && leftSide.checksum === rightSide.checksum });
      }
      return { left: left.label, right: right.label, tables, differences: tables.filter((table) => !table.match).length, notes };
    } finally {
      await right.close();
    }
  } finally {
    await left.close();
  }
}
