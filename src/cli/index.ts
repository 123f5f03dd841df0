#!/usr/bin/env node
/**
 * The `authly` executable. It loads the commands (and with them the server's dependencies) only
 * when a command runs, so `authly --version` answers at once.
 */
import { packageVersion } from './version.js';

/**
 * A reader that stops early (`authly db status | head -2`) closes the pipe: the rest of the
 * output has nowhere to go, which is not a failure worth a stack trace. Exit quietly instead.
 */
function quietOnClosedPipe(error: NodeJS.ErrnoException): void {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
}
process.stdout.on('error', quietOnClosedPipe);
process.stderr.on('error', quietOnClosedPipe);

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  process.stdout.write(`${packageVersion()}\n`);
} else {
  await import('./main.js');
}
