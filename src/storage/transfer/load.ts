import type { SqlFlavour } from '../kysely/codec.js';
import { SEED_SCOPES } from '../migrations/seed-scopes.js';
import { adoptionMapper } from './authly-origin.js';
import type { AdoptionStats } from './authly-origin.js';
import { TransferError } from './errors.js';
import { sharedKind } from './kinds.js';
import type { ValueKind } from './kinds.js';
import { yieldToEventLoop } from './progress.js';
import type { ProgressListener, TableCount } from './progress.js';
import { findTable } from './schema.js';
import type { ColumnSchema, TableSchema } from './schema.js';
import type { TargetDatabase } from './target.js';
import { encodeForTarget } from './values.js';
import type { WireRow } from './values.js';
import type { SchemaOrigin } from './version.js';

/**
 * What to do with a target that already holds rows: `empty` refuses it, `merge` adds the rows
 * whose primary key is absent, `replace` empties every table first (in the same transaction).
 */
export type ImportMode = 'empty' | 'merge' | 'replace';

/** Settings an import and a copy share. */
export interface WriteOptions {
  mode: ImportMode;
  /** Do everything, then roll back: the report is exact and the target untouched. */
  dryRun?: boolean;
  progress?: ProgressListener;
  signal?: AbortSignal;
  /** Rows per batch; the default keeps memory flat. */
  batchSize?: number;
}

/** A table on its way in: its source columns, expected row count and rows. */
export interface IncomingTable {
  name: string;
  columns: readonly ColumnSchema[];
  total: number | undefined;
  batches: AsyncIterable<WireRow[]>;
}

/** How the rows of one incoming table are written. */
export interface TablePlan {
  target: TableSchema;
  columns: string[];
  kinds: ValueKind[];
}

/** Shared settings of every table of one transfer. */
export interface LoadContext {
  target: TargetDatabase;
  sourceDialect: SqlFlavour;
  origin: SchemaOrigin;
  skipExisting: boolean;
  adoption: AdoptionStats;
  progress?: ProgressListener | undefined;
  signal?: AbortSignal | undefined;
}

/** The shared settings of one transfer into `target`. */
export function loadContext(target: TargetDatabase, sourceDialect: SqlFlavour, origin: SchemaOrigin, adoption: AdoptionStats, options: WriteOptions): LoadContext {
  return { target, sourceDialect, origin, skipExisting: options.mode === 'merge', adoption, progress: options.progress, signal: options.signal };
}

/**
 * Matches an incoming table to the target's: the target must have the table and every column
 * (its own extra columns get their defaults). Checked for every table before the first row is
 * written, so a mismatch costs nothing.
 */
export function planTable(target: TargetDatabase, name: string, columns: readonly ColumnSchema[], sourceDialect: SqlFlavour): TablePlan {
  const table = findTable(target.schema, name);
  if (table === undefined) throw new TransferError(`the target has no table ${name}; it cannot hold the source's rows`);
  const kinds = columns.map((column) => {
    const targetColumn = table.columns.find((candidate) => candidate.name === column.name);
    if (targetColumn === undefined) throw new TransferError(`the target has no column ${name}.${column.name}; it cannot hold the source's rows`);
    return sharedKind({ dialect: target.dialect, kind: targetColumn.kind }, { dialect: sourceDialect, kind: column.kind });
  });
  return { target: table, columns: columns.map((column) => column.name), kinds };
}

const SEED_SCOPE_NAMES = new Set(SEED_SCOPES.map((scope) => scope.scopeName));

/** What preparing the target did. */
export interface Preparation {
  /** Tables emptied by `--replace`. */
  cleared: string[];
  /** True when the target held only the scopes a fresh schema seeds, which were removed. */
  replacedSeedScopes: boolean;
}

/**
 * Checks that the target may take the rows in this mode and prepares it, inside its transaction.
 * A freshly migrated database is not empty: the baseline seeds eight scopes. A target holding
 * only those counts as empty, and they are removed so the source's scopes (the same names, other
 * ids) take their place.
 */
export async function prepareTarget(target: TargetDatabase, mode: ImportMode): Promise<Preparation> {
  const tables = target.schema.tables;
  if (mode === 'replace') {
    await target.clear(tables);
    return { cleared: tables.map((table) => table.name), replacedSeedScopes: false };
  }
  const withRows: TableSchema[] = [];
  for (const table of tables) if (await target.hasRows(table)) withRows.push(table);
  const scopes = findTable(target.schema, 'oauth_scopes');
  const onlySeedScopes =
    withRows.length === 1 &&
    withRows[0] === scopes &&
    (await target.columnValues(scopes, 'scope_name', SEED_SCOPE_NAMES.size + 1)).every((name) => SEED_SCOPE_NAMES.has(String(name)));
  if (onlySeedScopes) {
    await target.clear([scopes]);
    return { cleared: [], replacedSeedScopes: true };
  }
  if (mode === 'empty' && withRows.length > 0) {
    const counts: string[] = [];
    for (const table of withRows.slice(0, 4)) counts.push(`${table.name}: ${await target.count(table)} rows`);
    const more = withRows.length > 4 ? `, and ${withRows.length - 4} more tables` : '';
    throw new TransferError(
      `target ${target.label} is not empty (${counts.join(', ')}${more}); use --merge to add the rows whose key is absent, or --replace to empty it first`,
    );
  }
  return { cleared: [], replacedSeedScopes: false };
}

function checkInterrupted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new TransferError('interrupted; the target was left as it was');
}

/** Streams one table into the target, batch by batch, and counts what happened. */
export async function loadTable(context: LoadContext, incoming: IncomingTable, plan: TablePlan): Promise<TableCount> {
  const { target, progress, signal } = context;
  const inserter = target.inserter(plan.target, plan.columns, context.skipExisting);
  const mapRow = adoptionMapper(context.origin, incoming.name, plan.columns, context.adoption);
  const count: TableCount = { table: incoming.name, rows: 0, inserted: 0, skipped: 0 };
  const width = plan.columns.length;
  progress?.({ phase: 'start', table: incoming.name, done: 0, total: incoming.total });
  for await (const batch of incoming.batches) {
    checkInterrupted(signal);
    let encoded: unknown[][];
    try {
      encoded = batch.map((row) => {
        if (mapRow !== undefined) mapRow(row);
        const out = new Array<unknown>(width);
        for (let i = 0; i < width; i++) out[i] = encodeForTarget(target.dialect, plan.kinds[i]!, row[i]);
        return out;
      });
    } catch (err) {
      throw new TransferError(`${incoming.name}: ${(err as Error).message}`, { cause: err });
    }
    const result = await inserter.write(encoded);
    count.rows += batch.length;
    count.inserted += result.inserted;
    count.skipped += result.skipped;
    progress?.({ phase: 'rows', table: incoming.name, done: count.rows, total: incoming.total });
    await yieldToEventLoop();
  }
  checkInterrupted(signal);
  progress?.({ phase: 'done', table: incoming.name, done: count.rows, total: incoming.total });
  return count;
}
