import type { Command } from 'commander';
import type { CliOutput } from '../../output.js';
import type { AdminApi } from './api-client.js';
import { changePassword, addChangePassword } from './change-password.js';
import { adminContext } from './context.js';
import { renderRecord } from './format.js';
import { ask } from './prompt.js';

/** Scopes `login` asks for: Authly's CLI default plus `admin:users:write` for `user` commands. */
export const DEFAULT_LOGIN_SCOPE = 'admin:clients:read admin:clients:write admin:scopes:read admin:scopes:write admin:users:read admin:users:write admin:system:read';

interface LoginFlags {
  username?: string;
  password?: string;
  scope: string;
  showToken?: boolean;
  device?: boolean;
  clientId?: string;
}

/** Adds login/logout/whoami/status/refresh/info to a group (`admin` itself and `admin auth`). */
export function addAuthCommands(group: Command, output: CliOutput): void {

  for (const add of [authLogin, authLogout, authWhoami, authStatus, authRefresh, addChangePassword]) add(group, output);
}

/** `login --device` (RFC 8628): the user signs in with a browser on any other machine. */
async function deviceLogin(command: Command, flags: LoginFlags, output: CliOutput): Promise<void> {
  const { api } = adminContext(command, output);
  if (!flags.clientId) throw new Error('--device needs --client-id (a client registered for the device_code grant)');
  const tokens = await api.deviceLogin(
    flags.clientId,
    flags.scope,
    (authorization) => {
      output.out(`Open ${authorization.verification_uri} and enter the code ${authorization.user_code}`);
      if (authorization.verification_uri_complete) output.out(`(or open ${authorization.verification_uri_complete})`);
      output.out('Waiting for the sign-in…');
    },
    (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  );
  output.out(`Logged in to ${api.baseUrl}`);
  output.out(`Scopes: ${tokens.scope ?? '(none)'}`);
  if (flags.showToken) output.out(`Access token: ${tokens.access_token}`);
}

async function login(command: Command, flags: LoginFlags, output: CliOutput): Promise<void> {
  if (flags.device) return deviceLogin(command, flags, output);
  const { api, source } = adminContext(command, output, { forLogin: true });
  output.err(`Logging in to ${api.baseUrl} (${source})`);
  const username = flags.username ?? (await ask('Username: '));
  const password = flags.password ?? (await ask('Password: ', { secret: true }));
  const tokens = await api.login(username, password, flags.scope);
  output.out(`Logged in to ${api.baseUrl} as ${username}`);
  output.out(`Scopes: ${tokens.scope ?? '(none)'}`);
  if (flags.showToken) output.out(`Access token: ${tokens.access_token}`);
  if (tokens.requires_password_change) await offerPasswordChange(api, username, password, output);
  // Authly's CLI checks the admin API right away, so a missing admin flag shows at login.
  await api.request('GET', '/admin/status').catch((error: Error) => output.err(`warning: admin API check failed: ${error.message}`));
}

/** After a login whose password must be changed: on a terminal, offer the change at once. */
async function offerPasswordChange(api: AdminApi, username: string, current: string, output: CliOutput): Promise<void> {
  const hint = 'warning: this password must be changed: run `authly admin change-password`';
  if (process.stdin.isTTY !== true) return output.err(hint);
  output.err('This password must be changed.');
  if (/^n/i.test((await ask('Change it now? [Y/n] ')).trim())) return output.err(hint);
  await changePassword(api, username, current, output);
}

async function whoami(command: Command, flags: { verbose?: boolean }, output: CliOutput): Promise<void> {
  const { api } = adminContext(command, output);
  const me = await api.request<Record<string, unknown>>('GET', '/api/v1/users/me');
  const saved = api.saved();
  const record: Record<string, unknown> = { username: me.username, id: me.id, email: me.email, admin: me.is_admin, api: api.baseUrl };
  if (flags.verbose) Object.assign(record, { scopes: saved?.scope, expires_at: saved?.expires_at });
  for (const line of renderRecord(record)) output.out(line);
}

async function status(command: Command, flags: { verbose?: boolean }, output: CliOutput): Promise<void> {
  const { api } = adminContext(command, output);
  const health = await api.request<{ status: string }>('GET', '/admin/health', { auth: false });
  output.out(`Admin API: ${health.status} (${api.baseUrl})`);
  if (!api.saved()) {
    output.out('Not logged in: run `authly admin login` for the server status');
    return;
  }
  const s = await api.request<{ status: string; database: Record<string, unknown>; configuration: Record<string, unknown>; statistics: Record<string, unknown>; timestamp: string }>('GET', '/admin/status');
  const record: Record<string, unknown> = {
    status: s.status,
    database: s.database.connected ? `connected (${String(s.database.version)})` : `error: ${String(s.database.error)}`,
    clients: `${String(s.statistics.active_clients)} active of ${String(s.statistics.oauth_clients)}`,
    scopes: `${String(s.statistics.active_scopes)} active of ${String(s.statistics.oauth_scopes)}`,
  };
  if (flags.verbose) Object.assign(record, s.configuration, { timestamp: s.timestamp });
  for (const line of renderRecord(record)) output.out(line);
}

function authLogin(group: Command, output: CliOutput): void {
  group
    .command('login')
    .description('log in with the password grant and save the token (mode 0600)')
    .option('-u, --username <name>', 'admin user name (prompted when absent)')
    .option('-p, --password <password>', 'password (prompted when absent)')
    .option('-s, --scope <scopes>', 'scopes to request', DEFAULT_LOGIN_SCOPE)
    .option('--show-token', 'print the access token')
    .option('--device', 'log in through a browser on another machine (device authorization grant, RFC 8628)')
    .option('--client-id <id>', 'with --device: a client registered for the device_code grant')
    .action(async (flags: LoginFlags, command: Command) => login(command, flags, output));
}

function authLogout(group: Command, output: CliOutput): void {
  group
    .command('logout')
    .description('revoke the saved tokens and delete them')
    .action(async (_flags: object, command: Command) => {
      const { api } = adminContext(command, output);
      output.out((await api.logout()) ? 'Logged out' : 'Not logged in');
    });
}

function authWhoami(group: Command, output: CliOutput): void {
  group
    .command('whoami')
    .description('show the logged-in user')
    .option('-v, --verbose', 'also show the token scopes and expiry')
    .action(async (flags: { verbose?: boolean }, command: Command) => whoami(command, flags, output));
}

function authStatus(group: Command, output: CliOutput): void {
  group
    .command('status')
    .description('show the admin API health and the server status')
    .option('-v, --verbose', 'show every status field')
    .action(async (flags: { verbose?: boolean }, command: Command) => status(command, flags, output));
}

function authRefresh(group: Command, output: CliOutput): void {
  group
    .command('refresh')
    .description('exchange the saved refresh token for new tokens')
    .action(async (_flags: object, command: Command) => {
      const tokens = await adminContext(command, output).api.refresh();
      output.out(`Token refreshed; expires in ${tokens.expires_in} s`);
    });
}
