import type { Command } from 'commander';
import { configOption } from '../../config-option.js';
import type { CliOutput } from '../../output.js';

interface ResetFlags {
  config?: string;
}

/**
 * `authly admin reset-password <username>`: the recovery path when nobody can log in (a lost
 * bootstrap password, a forgotten admin password). Unlike the other `admin` commands it needs no
 * running server and no token: it opens the configured database itself, as Grafana's
 * `grafana cli admin reset-admin-password` and Keycloak's bootstrap-admin command do. Whoever can
 * read the configuration and the database owns the server anyway, so this grants nothing new.
 */
export function addOfflineResetPassword(admin: Command, output: CliOutput): void {
  admin
    .command('reset-password')
    .description('offline recovery: set a new generated password for <username> directly in the database (no server or login needed)')
    .argument('<username>', 'the account to recover')
    .addOption(configOption())
    .action((username: string, flags: ResetFlags) => resetPassword(username, flags, output));
}

async function resetPassword(username: string, flags: ResetFlags, output: CliOutput): Promise<void> {
  // Loaded when the command runs: `authly --help` and every other command never load storage,
  // the configuration schema or argon2.
  const [{ createContainer }, { loadConfig }, { createPasswordHasher }, { cryptoRandom }, { systemClock }, { endUserSessions }, { BOOTSTRAP_PASSWORD, generatePassword }, { commandLogger }] =
    await Promise.all([
      import('../../../app/container.js'),
      import('../../../config/load.js'),
      import('../../../crypto/password-hasher.js'),
      import('../../../crypto/random.js'),
      import('../../../repositories/ports.js'),
      import('../../../services/users/end-sessions.js'),
      import('../../../services/users/password-rules.js'),
      import('../../command-logger.js'),
    ]);
  const config = loadConfig({ flags: { ...(flags.config === undefined ? {} : { config: flags.config }) } });
  if (config.database.backend === 'memory') {
    throw new Error('database.backend is memory: the database lives only inside the running server, so there is nothing to reset offline');
  }
  const logger = commandLogger(config.logging);
  // Through the container, so a Redis cache of the user record is invalidated with the write.
  const container = await createContainer(config, { logger });
  try {
    const user = await container.repositories.users.findByUsername(username);
    if (!user) throw new Error(`no user named "${username}" in the configured database`);
    const password = generatePassword(cryptoRandom, BOOTSTRAP_PASSWORD);
    const passwordHash = await createPasswordHasher().hash(password);
    // A password change ends every session and token of the account, and the new password is
    // temporary: it must be changed at the next login.
    const ended = await endUserSessions(container.repositories, user.id, { passwordHash, requiresPasswordChange: true }, systemClock.now());
    output.err(`Password of "${user.username}" reset; ${ended.revokedTokens} tokens revoked. It is shown only this once and must be changed at the next login:`);
    output.out(password);
    if (!user.isActive) output.err(`warning: "${user.username}" is deactivated; activate it once logged in as another admin`);
  } finally {
    await container.close();
  }
}
