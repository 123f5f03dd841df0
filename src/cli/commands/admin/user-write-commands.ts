import type { Command } from 'commander';
import type { CliOutput } from '../../output.js';
import { adminContext, outputFormat } from './context.js';
import { print, renderRecord } from './format.js';
import { confirmed } from './prompt.js';
import { resolveUser, type AdminUser } from './resolve-user.js';

interface CreateFlags {
  username: string;
  email: string;
  password?: string;
  generatePassword?: boolean;
  admin?: boolean;
  verified?: boolean;
  inactive?: boolean;
  requirePasswordChange?: boolean;
  givenName?: string;
  familyName?: string;
}

interface UpdateFlags {
  username?: string;
  email?: string;
  password?: string;
  givenName?: string;
  familyName?: string;
  admin?: boolean;
  verified?: boolean;
  activate?: boolean;
  deactivate?: boolean;
}

const summary = (u: AdminUser) => ({ id: u.id, username: u.username, email: u.email, active: u.is_active, verified: u.is_verified, admin: u.is_admin, requires_password_change: u.requires_password_change });

/** `user create|update|delete|reset-password`. */
export function addUserWriteCommands(user: Command, output: CliOutput): void {

  for (const add of [userCreate, userUpdate, userDelete, userResetPassword]) add(user, output);
}

function userCreate(user: Command, output: CliOutput): void {
  user
    .command('create')
    .description('create a user (admin password rules apply)')
    .requiredOption('--username <name>').requiredOption('--email <address>')
    .option('--password <password>', 'initial password')
    .option('--generate-password', 'generate a temporary password that must be changed')
    .option('--admin', 'make the user an admin').option('--verified', 'mark the e-mail verified')
    .option('--inactive', 'create the account disabled').option('--require-password-change')
    .option('--given-name <name>').option('--family-name <name>')
    .option('--output <format>', 'table or json', 'table')
    .action(async (flags: CreateFlags, command: Command) => {
      const body = {
        username: flags.username,
        email: flags.email,
        password: flags.password,
        generate_temp_password: flags.generatePassword === true,
        is_admin: flags.admin === true,
        is_verified: flags.verified === true,
        is_active: flags.inactive !== true,
        requires_password_change: flags.requirePasswordChange === true,
        given_name: flags.givenName,
        family_name: flags.familyName,
      };
      const created = await adminContext(command, output).api.request<AdminUser & { temporary_password: string | null }>('POST', '/admin/users', { body });
      print(output, outputFormat(command), created, () => [
        ...renderRecord(summary(created)),
        ...(created.temporary_password ? [`temporary_password: ${created.temporary_password}`, 'Share it securely: it cannot be shown again.'] : []),
      ]);
    });
}

function userUpdate(user: Command, output: CliOutput): void {
  user
    .command('update <user>')
    .description('change a user (id or username)')
    .option('--username <name>').option('--email <address>').option('--password <password>')
    .option('--given-name <name>').option('--family-name <name>')
    .option('--admin', 'grant admin').option('--no-admin', 'revoke admin')
    .option('--verified', 'mark verified').option('--no-verified', 'mark unverified')
    .option('--activate').option('--deactivate')
    .option('--output <format>', 'table or json', 'table')
    .action(async (idOrName: string, flags: UpdateFlags, command: Command) => {
      if (flags.activate && flags.deactivate) throw new Error('--activate and --deactivate exclude each other');
      const { api } = adminContext(command, output);
      const body = {
        username: flags.username,
        email: flags.email,
        password: flags.password,
        given_name: flags.givenName,
        family_name: flags.familyName,
        is_admin: flags.admin,
        is_verified: flags.verified,
        is_active: flags.activate ? true : flags.deactivate ? false : undefined,
      };
      const updated = await api.request<AdminUser>('PUT', `/admin/users/${await resolveUser(api, idOrName)}`, { body });
      print(output, outputFormat(command), updated, () => renderRecord(summary(updated)));
    });
}

function userDelete(user: Command, output: CliOutput): void {
  user
    .command('delete <user>')
    .description('delete a user with its tokens and codes')
    .option('--confirm', 'do not ask')
    .action(async (idOrName: string, flags: { confirm?: boolean }, command: Command) => {
      await confirmed(`delete user ${idOrName}`, flags.confirm);
      const { api } = adminContext(command, output);
      await api.request('DELETE', `/admin/users/${await resolveUser(api, idOrName)}`);
      output.out(`User ${idOrName} deleted`);
    });
}

function userResetPassword(user: Command, output: CliOutput): void {
  user
    .command('reset-password <user>')
    .description("set a temporary password and revoke the user's access tokens")
    .option('--confirm', 'do not ask')
    .action(async (idOrName: string, flags: { confirm?: boolean }, command: Command) => {
      await confirmed(`reset the password of ${idOrName}`, flags.confirm);
      const { api } = adminContext(command, output);
      const res = await api.request<{ temporary_password: string; invalidated_sessions: number }>('POST', `/admin/users/${await resolveUser(api, idOrName)}/reset-password`);
      output.out(`Temporary password: ${res.temporary_password}`);
      output.out(`${res.invalidated_sessions} session(s) revoked; the user must change the password at next login.`);
    });
}
