import { Option } from 'commander';
import type { Command } from 'commander';
import { ASYMMETRIC_ALGORITHMS } from '../../crypto/algorithms.js';
import type { AsymmetricAlgorithm } from '../../crypto/algorithms.js';
import type { KeyListing, SigningKeyService } from '../../services/signing-keys.js';
import { configOption } from '../config-option.js';
import { warnIfMemory } from '../memory-notice.js';
import { processOutput } from '../output.js';
import type { CliOutput } from '../output.js';

interface KeysFlags {
  config?: string;
  output?: 'table' | 'json';
  algorithm?: AsymmetricAlgorithm;
}

/** `authly keys list` and `authly keys rotate`. */
export function registerKeys(program: Command, output: CliOutput = processOutput): void {
  const keys = program.command('keys').description('signing keys (JWKS) and their staged rotation');
  keys
    .command('list')
    .description('list signing keys with their status: signing, staged, published (retired) or expired')
    .addOption(configOption())
    .addOption(new Option('-o, --output <format>', 'table or json').choices(['table', 'json']).default('table'))
    .action((flags: KeysFlags) => withSigningKeys(flags, (service) => list(service, flags, output)));
  keys
    .command('rotate')
    .description('create the next signing key: published now, signing after keys.rotation_delay_seconds')
    .addOption(configOption())
    .addOption(new Option('-a, --algorithm <alg>', 'the algorithm to rotate (default keys.algorithm)').choices([...ASYMMETRIC_ALGORITHMS]))
    .action((flags: KeysFlags) => withSigningKeys(flags, (service) => rotate(service, flags, output)));
}

async function withSigningKeys(flags: KeysFlags, run: (service: SigningKeyService) => Promise<void>): Promise<void> {
  // Loaded per command, so `authly --version` and the other commands never load them.
  const [{ createContainer }, { loadConfig }, { loadMasterKey, masterKeySourceFrom }, { cryptoRandom }, { commandLogger }, { systemClock }, { createSigningKeys }, { createLogger }, { createAuditLog }] =
    await Promise.all([
      import('../../app/container.js'),
      import('../../config/load.js'),
      import('../../crypto/master-key.js'),
      import('../../crypto/random.js'),
      import('../command-logger.js'),
      import('../../repositories/ports.js'),
      import('../../services/signing-keys.js'),
      import('../../log/logger.js'),
      import('../../audit/audit-log.js'),
    ]);
  const config = loadConfig({ flags: { ...(flags.config === undefined ? {} : { config: flags.config }) } });
  warnIfMemory(config, processOutput);
  const logger = commandLogger(config.logging);
  const masterKey = loadMasterKey(masterKeySourceFrom(config), { random: cryptoRandom, logger });
  const container = await createContainer(config, { logger });
  // A rotation is an audit event, recorded where the server records its own: always on stderr,
  // whatever the command's own log level, as a readable line unless `logging.json: true` asks
  // for JSON (a command's output carries no JSON log lines by default).
  const audit = createAuditLog({
    logger: createLogger({ ...config.logging, level: 'info', json: config.logging.json ?? false }, process.stderr),
    clock: systemClock,
    ids: cryptoRandom,
    ...(config.audit.sink === 'database' ? { repository: container.storage.auditEvents } : {}),
  });
  try {
    const { service } = createSigningKeys({
      repository: container.repositories.signingKeys,
      masterKey,
      config,
      clock: systemClock,
      random: cryptoRandom,
      logger,
      audit,
    });
    await run(service);
  } finally {
    await audit.close();
    await container.close();
  }
}

async function rotate(service: SigningKeyService, flags: KeysFlags, output: CliOutput): Promise<void> {
  const result = await service.rotate(undefined, flags.algorithm);
  const when = result.signsFrom <= result.createdAt ? 'now' : result.signsFrom.toISOString();
  output.out(`created ${result.kid} (${result.algorithm}); it signs from ${when}`);
}

async function list(service: SigningKeyService, flags: KeysFlags, output: CliOutput): Promise<void> {
  const keys = await service.listKeys();
  if (flags.output === 'json') {
    output.out(JSON.stringify(keys, null, 2));
    return;
  }
  for (const line of keysTable(keys)) output.out(line);
}

/** Aligned columns: KID, ALG, STATUS, CREATED, SIGNS-FROM (staged keys), PUBLISH-UNTIL (retired keys). */
export function keysTable(keys: readonly KeyListing[]): string[] {
  const rows = keys.map((key) => [
    key.kid,
    key.algorithm,
    key.status,
    key.createdAt.toISOString(),
    key.signsFrom?.toISOString() ?? '-',
    key.publishUntil?.toISOString() ?? '-',
  ]);
  const header = ['KID', 'ALG', 'STATUS', 'CREATED', 'SIGNS-FROM', 'PUBLISH-UNTIL'];
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]?.length ?? 0)));
  const format = (row: string[]) => row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [format(header), ...rows.map(format)];
}
