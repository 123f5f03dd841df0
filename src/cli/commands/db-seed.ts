import { InvalidArgumentError, Option } from 'commander';
import type { Command } from 'commander';
import type { SeedReport } from '../../storage/transfer/index.js';
import { configOption } from '../config-option.js';
import { processOutput } from '../output.js';
import type { CliOutput } from '../output.js';
import { renderTable } from './admin/format.js';
import { interruptible, transferModules } from './db-transfer.js';

interface SeedFlags {
  config?: string;
  to?: string;
  users: number;
  tokensPerUser: number;
  password: string;
  force?: boolean;
}

/** The password every seeded user gets unless `--password` names another. */
export const DEFAULT_SEED_PASSWORD = 'seed-password-1';

function count(name: string, max: number): (value: string) => number {
  return (value) => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < 0 || parsed > max) throw new InvalidArgumentError(`${name} must be a whole number from 0 to ${max}`);
    return parsed;
  };
}

/** `authly db seed`: realistic rows for benchmarks and rehearsals of a move. */
export function registerSeed(db: Command, output: CliOutput = processOutput): void {
  db.command('seed')
    .description('fill a database with realistic users, clients, scopes and tokens (refuses one that holds data unless --force)')
    .requiredOption('--users <n>', 'users to create', count('--users', 100_000_000))
    .addOption(new Option('--tokens-per-user <k>', 'tokens per user (an access and a refresh token per login)').argParser(count('--tokens-per-user', 1000)).default(2))
    .addOption(new Option('--password <password>', 'the password of every seeded user').default(DEFAULT_SEED_PASSWORD))
    .addOption(new Option('--to <database>', 'sqlite:PATH, postgresql://… or a config file (default: the configured database)'))
    .addOption(new Option('--force', 'empty a database that already holds data first, in the same transaction'))
    .addOption(configOption())
    .action(async (flags: SeedFlags) => {
      const [{ seedDatabase, resolveEndpoint }, { createPasswordHasher }, { cryptoRandom }] = await Promise.all([
        transferModules(),
        import('../../crypto/password-hasher.js'),
        import('../../crypto/random.js'),
      ]);
      const target = resolveEndpoint(flags.to, flags.config);
      // One argon2id hash for every user: hashing a million passwords would take hours and
      // measure argon2, not the database.
      const passwordHash = await createPasswordHasher().hash(flags.password);
      const seed = Number.parseInt(cryptoRandom.hex(4), 16);
      const report = await interruptible((signal, progress) =>
        seedDatabase({ target, users: flags.users, tokensPerUser: flags.tokensPerUser, passwordHash, force: flags.force === true, seed, now: new Date(), progress: progress.listener, signal }).finally(() => progress.stop()),
      );
      printSeed(report, output);
    });
}

function printSeed(report: SeedReport, output: CliOutput): void {
  const rows = report.tables.reduce((sum, table) => sum + table.inserted, 0);
  output.out(`seeded ${report.target} with ${rows.toLocaleString('en-US')} rows in ${report.seconds.toFixed(1)}s`);
  for (const line of renderTable(report.tables, [
    { header: 'TABLE', value: (t) => t.table },
    { header: 'ROWS', value: (t) => t.inserted },
  ])) output.out(line);
  output.out('every seeded user has the password given by --password; the first one is an administrator');
}
