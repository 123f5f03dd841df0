import type { Command } from 'commander';
import type { CliOutput } from '../../output.js';
import { adminContext, outputFormat } from './context.js';
import { print, renderRecord, renderTable, type Column } from './format.js';
import { confirmed } from './prompt.js';
import { resolveUser, type AdminUser } from './resolve-user.js';
import { userGrants } from './user-grant-commands.js';
import { addUserWriteCommands } from './user-write-commands.js';

const COLUMNS: Column<AdminUser>[] = [
  { header: 'ID', value: (u) => u.id },
  { header: 'USERNAME', value: (u) => u.username },
  { header: 'EMAIL', value: (u) => u.email },
  { header: 'ACTIVE', value: (u) => u.is_active },
  { header: 'VERIFIED', value: (u) => u.is_verified },
  { header: 'ADMIN', value: (u) => u.is_admin },
  { header: 'SESSIONS', value: (u) => u.active_sessions },
];

interface ListFlags {
  search?: string;
  username?: string;
  email?: string;
  active?: boolean;
  inactive?: boolean;
  admin?: boolean;
  limit: string;
  skip: string;
}

/** `authly admin user …`: the admin API's user and session management. */
export function addUserCommands(admin: Command, output: CliOutput): void {
  const user = admin.command('user').description('manage users and their sessions');
  for (const add of [userList, userShow, addUserWriteCommands, userSessions, userRevokeSessions, userGrants]) add(user, output);
}

function userList(user: Command, output: CliOutput): void {
  user
    .command('list')
    .description('list users, newest first')
    .option('--search <text>', 'substring of username, e-mail or name')
    .option('--username <text>').option('--email <text>')
    .option('--active', 'only active users').option('--inactive', 'only inactive users')
    .option('--admin', 'only admins')
    .option('--limit <n>', 'page size (1-100)', '25')
    .option('--skip <n>', 'rows to skip', '0')
    .option('--output <format>', 'table or json', 'table')
    .action(async (flags: ListFlags, command: Command) => {
      const query = {
        search: flags.search,
        username: flags.username,
        email: flags.email,
        is_active: flags.active ? 'true' : flags.inactive ? 'false' : undefined,
        is_admin: flags.admin ? 'true' : undefined,
        limit: flags.limit,
        skip: flags.skip,
      };
      const page = await adminContext(command, output).api.request<{ users: AdminUser[]; total_count: number }>('GET', '/admin/users', { query });
      print(output, outputFormat(command), page, () => [...renderTable(page.users, COLUMNS), `${page.total_count} user(s)`]);
    });
}

function userShow(user: Command, output: CliOutput): void {
  user
    .command('show <user>')
    .description('show one user (id or username)')
    .option('--output <format>', 'table or json', 'table')
    .action(async (idOrName: string, _flags: object, command: Command) => {
      const { api } = adminContext(command, output);
      const shown = await api.request<AdminUser>('GET', `/admin/users/${await resolveUser(api, idOrName)}`);
      print(output, outputFormat(command), shown, () => renderRecord(shown));
    });
}

function userSessions(user: Command, output: CliOutput): void {
  user
    .command('sessions <user>')
    .description("list a user's sessions (access tokens)")
    .option('--active-only', 'hide invalidated and expired sessions')
    .option('--output <format>', 'table or json', 'table')
    .action(async (idOrName: string, flags: { activeOnly?: boolean }, command: Command) => {
      const { api } = adminContext(command, output);
      const id = await resolveUser(api, idOrName);
      const page = await api.request<{ sessions: Record<string, unknown>[]; total_count: number; active_count: number }>('GET', `/admin/users/${id}/sessions`, {
        query: { include_inactive: String(flags.activeOnly !== true), limit: '100' },
      });
      print(output, outputFormat(command), page, () => [
        ...renderTable(page.sessions, [
          { header: 'SESSION_ID', value: (s) => s.session_id },
          { header: 'TYPE', value: (s) => s.token_type },
          { header: 'CREATED', value: (s) => s.created_at },
          { header: 'EXPIRES', value: (s) => s.expires_at },
          { header: 'ACTIVE', value: (s) => s.is_active },
          { header: 'SCOPE', value: (s) => s.scope },
        ]),
        // Sessions are tokens of both types; the active count is of access tokens.
        `${page.total_count} token(s), ${page.active_count} active access token(s)`,
      ]);
    });
}

function userRevokeSessions(user: Command, output: CliOutput): void {
  user
    .command('revoke-sessions <user>')
    .description("revoke all of a user's tokens (access and refresh)")
    .option('--session <session_id>', 'revoke only this session')
    .option('--confirm', 'do not ask')
    .action(async (idOrName: string, flags: { session?: string; confirm?: boolean }, command: Command) => {
      await confirmed(`revoke ${flags.session ? 'a session' : 'all sessions'} of ${idOrName}`, flags.confirm);
      const { api } = adminContext(command, output);
      const id = await resolveUser(api, idOrName);
      const url = flags.session ? `/admin/users/${id}/sessions/${encodeURIComponent(flags.session)}` : `/admin/users/${id}/sessions`;
      output.out((await api.request<{ message: string }>('DELETE', url)).message);
    });
}
