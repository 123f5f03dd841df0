import { emptyAdoptionStats, adoptionNotes } from './authly-origin.js';
import { assertDistinct } from './endpoint.js';
import type { Endpoint } from './endpoint.js';
import { TransferError } from './errors.js';
import { loadTable, planTable, prepareTarget } from './load.js';
import type { TablePlan, WriteOptions } from './load.js';
import { openSource, openTarget } from './open.js';
import type { TableCount } from './progress.js';
import type { TransferReport } from './report.js';
import { READ_BATCH } from './source.js';
import type { SourceDatabase } from './source.js';
import { findTable } from './schema.js';
import type { TableSchema } from './schema.js';
import type { TargetDatabase } from './target.js';
import { assertKnownVersion } from './version.js';
import type { SchemaOrigin } from './version.js';

/** Options of {@link copyDatabase}. */
export interface CopyOptions extends WriteOptions {
  source: Endpoint;
  target: Endpoint;
}

/** Refuses a source this build cannot read, or one that holds no Authly schema. */
export function assertReadableSource(source: SourceDatabase): void {
  if (source.version.origin === 'empty') throw new TransferError(`source ${source.label} holds no Authly schema`);
  assertKnownVersion(source.version, `source ${source.label}`);
}

/** Notes on what the two engines can hold and on what the rows depend on. */
export function transferNotes(sourceDialect: string, targetDialect: string, origin: SchemaOrigin): string[] {
  const notes: string[] = [];
  if (sourceDialect === 'postgresql' && targetDialect === 'sqlite') notes.push('timestamps are kept to the millisecond: SQLite stores milliseconds, PostgreSQL microseconds');
  if (origin === 'authly') {
    notes.push('private signing keys and client-secret hashes are bound to the master key: start the target with the same secrets.master_key (or authly.key file) as the source');
  }
  return notes;
}

/** Every source table in the target's dependency order; a non-empty table the target lacks is refused. */
async function planTables(source: SourceDatabase, target: TargetDatabase): Promise<{ table: TableSchema; plan: TablePlan }[]> {
  for (const table of source.schema.tables) {
    if (findTable(target.schema, table.name) === undefined && (await source.count(table)) > 0) {
      throw new TransferError(`the target has no table ${table.name}; it cannot hold the source's rows`);
    }
  }
  const plans: { table: TableSchema; plan: TablePlan }[] = [];
  for (const targetTable of target.schema.tables) {
    const table = findTable(source.schema, targetTable.name);
    if (table !== undefined) plans.push({ table, plan: planTable(target, table.name, table.columns, source.dialect) });
  }
  return plans;
}

/**
 * Copies every table from one database to another without an intermediate file: the source is
 * read in one consistent snapshot (read-only; a Python Authly database is neither migrated nor
 * written), the target is migrated and written in one transaction, committed only at the end.
 *
 * @throws TransferError with a one-line reason; the target is then exactly as it was.
 */
export async function copyDatabase(options: CopyOptions): Promise<TransferReport> {
  assertDistinct(options.source, options.target);
  const started = performance.now();
  const source = await openSource(options.source);
  try {
    assertReadableSource(source);
    const target = await openTarget(options.target);
    try {
      const plans = await planTables(source, target);
      const preparation = await prepareTarget(target, options.mode);
      const adoption = emptyAdoptionStats();
      const context = {
        target,
        sourceDialect: source.dialect,
        origin: source.version.origin,
        skipExisting: options.mode === 'merge',
        adoption,
        progress: options.progress,
        signal: options.signal,
      };
      const tables: TableCount[] = [];
      for (const { table, plan } of plans) {
        const incoming = { name: table.name, columns: table.columns, total: await source.count(table), batches: source.rows(table, options.batchSize ?? READ_BATCH) };
        tables.push(await loadTable(context, incoming, plan));
      }
      await target.finish(options.dryRun !== true);
      return {
        source: source.label,
        target: target.label,
        sourceVersion: source.version,
        targetVersionBefore: target.versionBefore,
        migration: target.migration,
        tables,
        ...preparation,
        dryRun: options.dryRun === true,
        seconds: (performance.now() - started) / 1000,
        notes: [...transferNotes(source.dialect, target.dialect, source.version.origin), ...(source.version.origin === 'authly-python' ? adoptionNotes(adoption) : [])],
      };
    } finally {
      await target.abandon();
    }
  } finally {
    await source.close();
  }
}
