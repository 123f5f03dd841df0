import { emptyAdoptionStats } from './authly-origin.js';
import type { Endpoint } from './endpoint.js';
import { loadContext, loadTable, planTable, prepareTarget } from './load.js';
import { openTarget } from './open.js';
import type { ProgressListener, TableCount } from './progress.js';
import { seedTables } from './seed-rows.js';
import { READ_BATCH } from './source.js';
import type { MigrationReport } from '../storage.js';

/** Options of {@link seedDatabase}. */
export interface SeedOptions {
  target: Endpoint;
  users: number;
  tokensPerUser: number;
  /** The one password hash every user gets (computed once by the caller). */
  passwordHash: string;
  /** Empty a database that already holds data first, instead of refusing it. */
  force?: boolean;
  seed: number;
  now: Date;
  progress?: ProgressListener;
  signal?: AbortSignal;
}

/** What a seed wrote. */
export interface SeedReport {
  target: string;
  migration: MigrationReport;
  tables: TableCount[];
  seconds: number;
}

/**
 * Fills a database with realistic users (profile claims, an address object, NULLs), a few
 * clients and scopes, and tokens per user, streamed in batches inside one transaction, through
 * the same writer as `authly db import`. A database that already holds data is refused unless
 * `force`, which empties it first in the same transaction.
 */
export async function seedDatabase(options: SeedOptions): Promise<SeedReport> {
  const started = performance.now();
  const target = await openTarget(options.target);
  try {
    const tables = seedTables({ users: options.users, tokensPerUser: options.tokensPerUser, passwordHash: options.passwordHash, seed: options.seed, now: options.now });
    // The seed's kinds are exact (PostgreSQL's catalog would say the same), so they decide.
    const plans = tables.map((table) => planTable(target, table.name, table.columns, 'postgresql'));
    const mode = options.force === true ? 'replace' : 'empty';
    await prepareTarget(target, mode);
    const context = loadContext(target, 'postgresql', 'authly', emptyAdoptionStats(), { mode, progress: options.progress, signal: options.signal });
    const counts: TableCount[] = [];
    for (const [i, table] of tables.entries()) {
      counts.push(await loadTable(context, { name: table.name, columns: table.columns, total: table.total, batches: table.rows(READ_BATCH) }, plans[i]!));
    }
    await target.finish(true);
    return { target: target.label, migration: target.migration, tables: counts, seconds: (performance.now() - started) / 1000 };
  } finally {
    await target.abandon();
  }
}
