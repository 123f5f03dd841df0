import type { MigrationReport } from '../storage.js';
import type { TableCount } from './progress.js';
import type { SchemaVersion } from './version.js';

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
