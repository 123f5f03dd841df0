import { emptyAdoptionStats } from './authly-origin.js';
import { assertDistinct } from './endpoint.js';
import type { Endpoint } from './endpoint.js';
import { TransferError } from './errors.js';
import { loadContext, loadTable, planTable, prepareTarget } from './load.js';
import type { TablePlan, WriteOptions } from './load.js';
import { openSource, openTarget } from './open.js';
import type { TableCount } from './progress.js';
import { finishTransfer } from './report.js';
import type { TransferReport } from './report.js';
import { READ_BATCH } from './source.js';
import type { SourceDatabase } from './source.js';
import { findTable } from './schema.js';
import type { TableSchema } from './schema.js';
import type { TargetDatabase } from './target.js';
import { assertKnownVersion } from './version.js';

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
      const context = loadContext(target, source.dialect, source.version.origin, adoption, options);
      const tables: TableCount[] = [];
      for (const { table, plan } of plans) {
        const incoming = { name: table.name, columns: table.columns, total: await source.count(table), batches: source.rows(table, options.batchSize ?? READ_BATCH) };
        tables.push(await loadTable(context, incoming, plan));
      }
      return await finishTransfer(target, source, { tables, preparation, adoption, started }, options);
    } finally {
      await target.abandon();
    }
  } finally {
    await source.close();
  }
}
