import type { Command } from 'commander';
import { processOutput, type CliOutput } from '../../output.js';
import { addAuditCommands } from './audit-commands.js';
import { addAuthCommands } from './auth-commands.js';
import { addClientCommands } from './client-commands.js';
import { addOfflineResetPassword } from './offline-reset-password.js';
import { addScopeCommands } from './scope-commands.js';
import { addUserCommands } from './user-commands.js';

/**
 * `authly admin …`: an HTTP client of the admin API with Authly's command tree.
 * `login`/`logout`/`whoami`/`status`/`refresh` exist at the top and, as in Authly, under `auth`.
 */
export function registerAdmin(program: Command, output: CliOutput = processOutput): void {
  const admin = program
    .command('admin')
    .description('administer a running server over its admin API (AUTHLY_API_URL, default http://localhost:8000); reset-password works offline')
    .option('--api-url <url>', 'server base URL (default: $AUTHLY_API_URL, else the saved login\'s (not for login), else http://localhost:8000)');
  addAuthCommands(admin, output);
  addAuthCommands(admin.command('auth').description('log in and out (same as the top-level commands)'), output);
  addClientCommands(admin, output);
  addScopeCommands(admin, output);
  addUserCommands(admin, output);
  addOfflineResetPassword(admin, output);
  addAuditCommands(admin, output);
}
