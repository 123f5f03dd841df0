import type { SqlFlavour } from '../kysely/codec.js';
import type { MigrationReport } from '../storage.js';
import { adoptionNotes } from './authly-origin.js';
import type { AdoptionStats } from './authly-origin.js';
import type { Preparation, WriteOptions } from './load.js';
import type { TableCount } from './progress.js';
import type { TargetDatabase } from './target.js';
import type { SchemaOrigin, SchemaVersion } from './version.js';

/** What an import or a copy did (or, with `dryRun`, would have done: it was rolled back). */
export interface TransferReport {
  source: string;
  target: string;
  sourceVersion: SchemaVersion;
  targetVersionBefore: SchemaVersion;
  /** Migrations applied to the target inside the transfer's transaction. */
  migration: MigrationReport;
  tables: TableCount[];
  /** Tables `--replace` emptied first. */
  cleared: string[];
  /** True when the target's seed scopes were replaced by the source's. */
  replacedSeedScopes: boolean;
  dryRun: boolean;
  seconds: number;
  /** Things the operator should know: precision, adoption of a Python Authly database. */
  notes: string[];
}

/** Notes on what the two engines can hold and on what the rows depend on. */
export function transferNotes(sourceDialect: SqlFlavour, targetDialect: SqlFlavour, origin: SchemaOrigin): string[] {
  const notes: string[] = [];
  if (sourceDialect === 'postgresql' && targetDialect === 'sqlite') notes.push('timestamps are kept to the millisecond: SQLite stores milliseconds, PostgreSQL microseconds');
  if (origin === 'authly') {
    notes.push('private signing keys and client-secret hashes are bound to the master key: start the target with the same secrets.master_key (or authly.key file) as the source');
  }
  return notes;
}

/** Where the rows of a finished import or copy came from. */
export interface TransferSource {
  label: string;
  dialect: SqlFlavour;
  version: SchemaVersion;
}

/**
 * Commits the target (rolls it back for a dry run) and reports what was done: the last step an
 * import and a copy share.
 */
export async function finishTransfer(
  target: TargetDatabase,
  source: TransferSource,
  outcome: { tables: TableCount[]; preparation: Preparation; adoption: AdoptionStats; started: number },
  options: WriteOptions,
): Promise<TransferReport> {
  await target.finish(options.dryRun !== true);
  return {
    source: source.label,
    target: target.label,
    sourceVersion: source.version,
    targetVersionBefore: target.versionBefore,
    migration: target.migration,
    tables: outcome.tables,
    ...outcome.preparation,
    dryRun: options.dryRun === true,
    seconds: (performance.now() - outcome.started) / 1000,
    notes: [
      ...transferNotes(source.dialect, target.dialect, source.version.origin),
      ...(source.version.origin === 'authly-python' ? adoptionNotes(outcome.adoption) : []),
    ],
  };
}
