import type { AddressInfo } from 'node:net';
import type { Command } from 'commander';
import { configOption } from '../config-option.js';
import { packageVersion } from '../version.js';

interface ServeFlags {
  config?: string;
  host?: string;
  port?: string;
}

/** `authly serve [--host] [--port] [--config]`: runs the server until SIGTERM or SIGINT. */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('start the HTTP server')
    .option('--host <host>', 'interface to listen on (default: server.host)')
    .option('--port <port>', 'TCP port, 0 for any free one (default: server.port)')
    .addOption(configOption())
    .action(serve);
}

async function serve(flags: ServeFlags): Promise<void> {
  // Listen for signals first: a SIGTERM during start-up then still shuts down cleanly.
  const stopRequested = nextShutdownSignal();
  // Loaded here, not at the top: other commands (and `--version`) never pay for the server.
  const [{ createApplication }, { loadConfig }, { createLogger }] = await Promise.all([
    import('../../app/application.js'),
    import('../../config/load.js'),
    import('../../log/logger.js'),
  ]);
  const config = loadConfig({ flags });
  const logger = createLogger(config.logging);
  const application = await createApplication(config, { logger, version: packageVersion() });
  try {
    await application.server.listen({ host: config.server.host, port: config.server.port });
  } catch (error) {
    await application.close();
    throw error;
  }
  const url = listeningUrl(config.server.host, application.server.server.address() as AddressInfo);
  logger.info({ url, backend: application.container.storage.backend }, `Authly listening on ${url}`);
  if (application.generatedAdmin) printGeneratedAdmin(application.generatedAdmin, url);

  const signal = await stopRequested;
  logger.info({ signal, graceSeconds: config.server.shutdown_grace_seconds }, 'shutting down');
  // Stops taking connections, lets running requests finish (at most server.shutdown_grace_seconds),
  // then closes the database pools and Redis connections.
  await application.close();
  logger.info('stopped');
}

/**
 * Spec §5.3: the generated admin password is shown once, on the console (stderr), outside the log
 * stream, so it never lands in shipped logs.
 */
function printGeneratedAdmin(admin: { username: string; password: string }, url: string): void {
  process.stderr.write(
    [
      '',
      '  Authly created the administrator account on first start:',
      `    username: ${admin.username}`,
      `    password: ${admin.password}`,
      `  It is shown only this once. Log in at ${url} (authly admin login) and change it: the`,
      '  account is flagged requires_password_change. Set AUTHLY_ADMIN_PASSWORD to choose it yourself.',
      '',
      '',
    ].join('\n'),
  );
}

/** A URL a person can open: wildcard addresses are shown as localhost. */
function listeningUrl(host: string, address: AddressInfo): string {
  const shown = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  return `http://${shown.includes(':') ? `[${shown}]` : shown}:${address.port}`;
}

/** Resolves on the first SIGTERM/SIGINT; a second one exits at once (a stuck shutdown). */
function nextShutdownSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    function onSignal(signal: NodeJS.Signals): void {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      process.once('SIGTERM', forceExit);
      process.once('SIGINT', forceExit);
      resolve(signal);
    }
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}

function forceExit(): never {
  process.exit(1);
}
