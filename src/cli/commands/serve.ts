import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { configOption } from '../config-option.js';
import type * as ServerCodeModule from '../server-code.js';
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
  const { code, saveCache } = await loadServerCode();
  const { createApplication, loadConfig, createLogger } = code;
  const config = loadConfig({ flags });
  const logger = createLogger(config.logging);
  const application = await createApplication(config, { logger, version: packageVersion() });
  try {
    await application.server.listen({ host: config.server.host, port: config.server.port });
  } catch (error) {
    // The admin was created before listening failed: its password is shown all the same, or
    // nobody could ever log in with it (a later start never shows or resets it).
    if (application.generatedAdmin) printGeneratedAdmin(application.generatedAdmin, null);
    await application.close();
    throw listenError(error, config.server);
  }
  const url = listeningUrl(config.server.host, application.server.server.address() as AddressInfo);
  logger.info({ url, backend: application.container.storage.backend }, `Authly listening on ${url}`);
  if (application.generatedAdmin) printGeneratedAdmin(application.generatedAdmin, url);
  // After the first requests can be served: the cache then holds what start-up compiled.
  setImmediate(saveCache);

  const signal = await stopRequested;
  logger.info({ signal, graceSeconds: config.server.shutdown_grace_seconds }, 'shutting down');
  // Stops taking connections, lets running requests finish (at most server.shutdown_grace_seconds),
  // then closes the database pools and Redis connections.
  await application.close();
  logger.info('stopped');
}

type ServerCode = typeof ServerCodeModule;

/**
 * The server's code: the CommonJS bundle `npm run build` writes, through V8's code cache (a
 * start then compiles almost nothing; see code-cache.ts), else (running from source) the modules.
 */
async function loadServerCode(): Promise<{ code: ServerCode; saveCache: () => void }> {
  const bundle = fileURLToPath(new URL('../bundle/server-code.cjs', import.meta.url));
  if (!existsSync(bundle)) return { code: await import('../server-code.js'), saveCache: () => {} };
  const [{ loadCachedScript }, { codeCacheDir }] = await Promise.all([import('../code-cache.js'), import('../../config/code-cache-dir.js')]);
  const script = loadCachedScript<ServerCode>(bundle, codeCacheDir());
  return { code: script.exports, saveCache: () => script.saveCache() };
}

/**
 * The generated admin password is shown once, on the console (stderr), outside the log stream,
 * so it never lands in shipped logs. `url` is `null` when the server did not start.
 */
function printGeneratedAdmin(admin: { username: string; password: string }, url: string | null): void {
  const where = url === null ? 'Once the server runs, log in' : `Log in (authly admin login --api-url ${url})`;
  process.stderr.write(
    [
      '',
      '  Authly created the administrator account on first start:',
      `    username: ${admin.username}`,
      `    password: ${admin.password}`,
      `  It is shown only this once. ${where} and change it`,
      '  (authly admin change-password): the account must change it at first login.',
      `  Lost it? \`authly admin reset-password ${admin.username}\` sets a new one, offline.`,
      '  Set AUTHLY_ADMIN_PASSWORD before the first start to choose it yourself.',
      '',
      '',
    ].join('\n'),
  );
}

/** A listen failure an operator can act on: which address, and how to choose another port. */
function listenError(error: unknown, server: { host: string; port: number }): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  const address = `${server.host}:${server.port}`;
  if (code === 'EADDRINUSE') {
    return new Error(`port ${server.port} is already in use (${address}): stop the program using it, or choose another port with --port <n> or the PORT environment variable (server.port)`, { cause: error });
  }
  if (code === 'EACCES') {
    return new Error(`not allowed to listen on port ${server.port} (${address}): ports below 1024 need privileges; choose another with --port <n> or PORT (server.port)`, { cause: error });
  }
  if (code === 'EADDRNOTAVAIL') {
    return new Error(`cannot listen on ${address}: ${server.host} is not an address of this machine; choose another with --host or HOST (server.host)`, { cause: error });
  }
  return error;
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
