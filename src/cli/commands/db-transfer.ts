import { Option } from 'commander';
import type { Command } from 'commander';
import { TransferError } from '../../storage/transfer/errors.js';
import type { ExportReport, ImportMode, ProgressListener, TransferReport, VerifyReport } from '../../storage/transfer/index.js';
import { configOption } from '../config-option.js';
import { processOutput } from '../output.js';
import type { CliOutput } from '../output.js';
import { renderTable } from './admin/format.js';

/** The transfer code, loaded only when a transfer command runs (not for `--version` or `serve`). */
export async function transferModules() {
  const [transfer, { resolveEndpoint }] = await Promise.all([import('../../storage/transfer/index.js'), import('../../app/database-endpoint.js')]);
  return { ...transfer, resolveEndpoint };
}

interface TransferFlags {
  config?: string;
  from?: string;
  to?: string;
  against?: string;
  merge?: boolean;
  replace?: boolean;
  dryRun?: boolean;
}

const DATABASE_HELP = 'sqlite:PATH, postgresql://… or a config file (default: the configured database)';

/** `--merge` / `--replace` (which exclude each other) and `--dry-run`. */
function withModeOptions(command: Command): Command {
  for (const option of [
    new Option('--merge', 'add rows whose primary key is absent; a clash on another unique key stops the transfer').conflicts('replace'),
    new Option('--replace', 'empty every table of the target first, in the same transaction'),
    new Option('--dry-run', 'do everything, then roll back: the report is exact and the target untouched'),
  ]) command.addOption(option);
  return command;
}

function modeOf(flags: TransferFlags): ImportMode {
  return flags.merge === true ? 'merge' : flags.replace === true ? 'replace' : 'empty';
}

/** `authly db export`, `import`, `copy` and `verify`. */
export function registerTransfer(db: Command, output: CliOutput = processOutput): void {
  db.command('export')
    .description('write every table to a portable JSON Lines dump (gzip when FILE ends in .gz)')
    .addOption(new Option('--from <database>', DATABASE_HELP))
    .requiredOption('--to <file>', 'dump file to write')
    .addOption(new Option('--dry-run', 'count the rows, write nothing'))
    .addOption(configOption())
    .action(async (flags: TransferFlags) => {
      const { exportDatabase, resolveEndpoint } = await transferModules();
      return interruptible((signal, progress) =>
        exportDatabase({ source: resolveEndpoint(flags.from, flags.config), file: flags.to!, dryRun: flags.dryRun === true, progress: progress.listener, signal }).finally(() => progress.stop()),
      ).then((report) => printExport(report, output));
    });
  withModeOptions(db.command('import'))
    .description('load a dump into a database, in one transaction; a non-empty target needs --merge or --replace')
    .requiredOption('--from <file>', 'dump file written by authly db export')
    .addOption(new Option('--to <database>', DATABASE_HELP))
    .addOption(configOption())
    .action(async (flags: TransferFlags) => {
      const { importDump, resolveEndpoint, describeVersion } = await transferModules();
      return interruptible((signal, progress) =>
        importDump({ file: flags.from!, target: resolveEndpoint(flags.to, flags.config), mode: modeOf(flags), dryRun: flags.dryRun === true, progress: progress.listener, signal }).finally(() => progress.stop()),
      ).then((report) => printTransfer('imported', report, output, describeVersion));
    });
  withModeOptions(db.command('copy'))
    .description('copy every table from one database to another without a file (read-only on the source)')
    .addOption(new Option('--from <database>', DATABASE_HELP))
    .addOption(new Option('--to <database>', DATABASE_HELP))
    .addOption(configOption())
    .action(async (flags: TransferFlags) => {
      const { copyDatabase, resolveEndpoint, describeVersion } = await transferModules();
      return interruptible((signal, progress) =>
        copyDatabase({
          source: resolveEndpoint(flags.from, flags.config),
          target: resolveEndpoint(flags.to, flags.config),
          mode: modeOf(flags),
          dryRun: flags.dryRun === true,
          progress: progress.listener,
          signal,
        }).finally(() => progress.stop()),
      ).then((report) => printTransfer('copied', report, output, describeVersion));
    });
  db.command('verify')
    .description('compare row counts and content checksums of every table; exit code 1 on any difference')
    .addOption(new Option('--from <database>', DATABASE_HELP))
    .requiredOption('--against <database>', 'the other database: sqlite:PATH, postgresql://… or a config file')
    .addOption(configOption())
    .action(async (flags: TransferFlags) => {
      const { verifyDatabases, resolveEndpoint } = await transferModules();
      return interruptible((_signal, progress) =>
        verifyDatabases({ left: resolveEndpoint(flags.from, flags.config), right: resolveEndpoint(flags.against, flags.config), progress: progress.listener }).finally(() => progress.stop()),
      ).then((report) => printVerify(report, output));
    });
}

/**
 * Runs a transfer with Ctrl-C (and SIGTERM) turned into a clean stop: the current batch ends,
 * the transaction rolls back, and the command fails with one line. A second Ctrl-C kills at once
 * (the target is still safe: its transaction never committed).
 */
export async function interruptible<T>(run: (signal: AbortSignal, progress: { listener: ProgressListener; stop(): void }) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const { progressFor } = await import('../progress.js');
    return await run(controller.signal, progressFor());
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

/** Names a schema version for the operator (`describeVersion` of the transfer code, loaded late). */
type Describe = (version: TransferReport['sourceVersion']) => string;

function schemaLines(report: TransferReport, describeVersion: Describe): string[] {
  const { migration } = report;
  const applied =
    migration.applied.length === 0
      ? 'up to date'
      : `${report.dryRun ? 'would apply' : 'applied'} ${migration.applied.length} migration(s)${migration.adoptedBaseline ? ', adopting its Authly schema' : ''}`;
  return [`source schema: ${describeVersion(report.sourceVersion)}`, `target schema: ${describeVersion(report.targetVersionBefore)}; ${applied}`];
}

function printTransfer(verb: string, report: TransferReport, output: CliOutput, describeVersion: Describe): void {
  output.out(`${report.dryRun ? `dry run, rolled back: would have ${verb}` : verb} ${report.source} → ${report.target} in ${report.seconds.toFixed(1)}s`);
  for (const line of schemaLines(report, describeVersion)) output.out(line);
  if (report.cleared.length > 0) output.out(`emptied first (--replace): ${report.cleared.join(', ')}`);
  if (report.replacedSeedScopes) output.out("the target's seed scopes were replaced by the source's");
  for (const line of renderTable(report.tables, [
    { header: 'TABLE', value: (t) => t.table },
    { header: 'ROWS', value: (t) => t.rows },
    { header: 'WRITTEN', value: (t) => t.inserted },
    { header: 'SKIPPED', value: (t) => t.skipped },
  ])) output.out(line);
  for (const note of report.notes) output.out(`note: ${note}`);
}

function printExport(report: ExportReport, output: CliOutput): void {
  const size = `${(report.bytes / 1024 / 1024).toFixed(1)} MiB`;
  output.out(report.dryRun ? `dry run: would export ${report.source} to ${report.file}` : `exported ${report.source} to ${report.file} (${size}) in ${report.seconds.toFixed(1)}s`);
  output.out(`schema: ${report.header.schema_version}${report.header.origin === 'authly-python' ? ' (Authly (Python) schema)' : ''}`);
  for (const line of renderTable(report.header.tables, [
    { header: 'TABLE', value: (t) => t.name },
    { header: 'ROWS', value: (t) => t.rows },
  ])) output.out(line);
}

/** Prints the comparison; any difference is a failure (exit code 1). */
function printVerify(report: VerifyReport, output: CliOutput): void {
  output.out(`A: ${report.left}`);
  output.out(`B: ${report.right}`);
  const short = (checksum: string | undefined) => (checksum === undefined ? 'absent' : checksum === '' ? '-' : checksum.slice(0, 16));
  for (const line of renderTable(report.tables, [
    { header: 'TABLE', value: (t) => t.table },
    { header: 'ROWS A', value: (t) => t.left?.rows ?? 'absent' },
    { header: 'ROWS B', value: (t) => t.right?.rows ?? 'absent' },
    { header: 'CHECKSUM A', value: (t) => short(t.left?.checksum) },
    { header: 'CHECKSUM B', value: (t) => short(t.right?.checksum) },
    { header: 'RESULT', value: (t) => (t.match ? 'match' : 'DIFFERS') },
  ])) output.out(line);
  for (const note of report.notes) output.out(`note: ${note}`);
  if (report.differences > 0) throw new TransferError(`${report.differences} of ${report.tables.length} tables differ`);
  output.out(`identical: ${report.tables.length} tables`);
}
