import type { Command } from 'commander';
import type { Config } from '../../config/index.js';
import type { MigrationState, Storage } from '../../storage/storage.js';
import { configOption } from '../config-option.js';
import { warnIfMemory } from '../memory-notice.js';
import { processOutput } from '../output.js';
import type { CliOutput } from '../output.js';
import { registerSeed } from './db-seed.js';
import { registerTransfer } from './db-transfer.js';

interface DbFlags {
  config?: string;
}

/** `authly db migrate`, `status`, `prune`, and the transfers `export`, `import`, `copy`, `verify`, `seed`. */
export function registerDb(program: Command, output: CliOutput = processOutput): void {
  const db = program.command('db').description('database schema management');
  db.command('migrate')
    .description('apply pending migrations (adopts an existing Authly PostgreSQL schema)')
    .addOption(configOption())
    .action((flags: DbFlags) => withStorage(flags, (storage) => migrate(storage, output)));
  db.command('status')
    .description('list migrations with the time each was applied, or "pending"')
    .addOption(configOption())
    .action((flags: DbFlags) => withStorage(flags, (storage) => status(storage, output)));
  db.command('prune')
    .description('delete expired tokens, expired authorization codes and retired keys past their publication')
    .addOption(configOption())
    .action((flags: DbFlags) => withStorage(flags, (storage, config) => prune(storage, output, config.audit.retention_days)));
  registerTransfer(db, output);
  registerSeed(db, output);
}

/**
 * What the server also does every `database.prune_interval_seconds` (see app/pruner.ts), at
 * once: for cron, or with the in-process pruner turned off. Authly never deleted expired rows.
 */
async function prune(storage: Storage, output: CliOutput, retentionDays: number): Promise<void> {
  const { pruneExpired } = await import('../../app/pruner.js');
  const report = await pruneExpired(storage.repositories, new Date(), { audit: { repository: storage.auditEvents, retentionDays } });
  output.out(`deleted ${report.tokens} expired tokens`);
  output.out(`deleted ${report.authorizationCodes} expired authorization codes`);
  output.out(`deleted ${report.signingKeys} retired signing keys`);
  output.out(`deleted ${report.pushedRequests} expired pushed authorization requests`);
  output.out(`deleted ${report.replayGuards} expired replay records`);
  if (report.auditEvents !== undefined) output.out(`deleted ${report.auditEvents} audit events older than ${retentionDays} days`);
  output.out(`deleted ${report.deviceCodes ?? 0} expired device codes`);
}

async function withStorage(flags: DbFlags, run: (storage: Storage, config: Config) => Promise<void>): Promise<void> {
  // Loaded per command, so `authly --version` and the other commands never load storage.
  const [{ storageOptionsFrom }, { openStorage }, { loadConfig }, { commandLogger }] = await Promise.all([
    import('../../app/storage-options.js'),
    import('../../app/storage.js'),
    import('../../config/load.js'),
    import('../command-logger.js'),
  ]);
  const config = loadConfig({ flags });
  warnIfMemory(config, processOutput);
  const logger = commandLogger(config.logging);
  const storage = await openStorage(storageOptionsFrom(config), { logger });
  try {
    await run(storage, config);
  } finally {
    await storage.close();
  }
}

async function migrate(storage: Storage, output: CliOutput): Promise<void> {
  const report = await storage.migrate();
  if (report.adoptedBaseline) output.out('adopted existing Authly schema');
  for (const name of report.applied) output.out(`applied ${name}`);
  if (report.applied.length === 0 && !report.adoptedBaseline) output.out('up to date');
}

async function status(storage: Storage, output: CliOutput): Promise<void> {
  const states = await storage.migrationStatus();
  for (const line of statusTable(states)) output.out(line);
}

/** Two aligned columns: migration name, then the ISO time it was applied or `pending`. */
export function statusTable(states: readonly MigrationState[]): string[] {
  const width = Math.max('MIGRATION'.length, ...states.map((s) => s.name.length));
  const row = (name: string, applied: string) => `${name.padEnd(width)}  ${applied}`;
  return [
    row('MIGRATION', 'APPLIED'),
    ...states.map((s) => row(s.name, s.executedAt === null ? 'pending' : s.executedAt.toISOString())),
  ];
}
