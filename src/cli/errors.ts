import { CommanderError } from 'commander';
import { debugRequested } from '../config/env.js';
import { ConfigError } from '../config/errors.js';
import type { CliOutput } from './output.js';

/** Exit status for an invalid configuration (a usage problem the operator fixes, not a crash). */
export const EXIT_CONFIG = 2;
/** Exit status for any other failure (database unreachable, corrupt file, ...). */
export const EXIT_FAILURE = 1;

/**
 * Prints a failure the way an operator wants it: the configuration problems, all at once, or
 * one `authly: <message>` line. Stack traces only with `LOG_LEVEL=debug`.
 * @returns the process exit code.
 */
export function reportError(error: unknown, output: CliOutput): number {
  if (error instanceof CommanderError) return error.exitCode; // commander already printed it
  if (error instanceof ConfigError) {
    output.err(`authly: ${error.message}`);
    return EXIT_CONFIG;
  }
  const message = error instanceof Error ? error.message : String(error);
  output.err(`authly: ${message.split('\n')[0] ?? ''}`);
  if (debugRequested() && error instanceof Error && error.stack) output.err(error.stack);
  return EXIT_FAILURE;
}
