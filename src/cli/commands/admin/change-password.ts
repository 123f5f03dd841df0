import type { Command } from 'commander';
import type { CliOutput } from '../../output.js';
import type { AdminApi } from './api-client.js';
import { adminContext } from './context.js';
import { ask } from './prompt.js';

/** Scopes to log in again with when the saved login names none. */
const FALLBACK_SCOPE = 'admin:clients:read admin:scopes:read admin:users:read admin:system:read';

/** `authly admin change-password`: the logged-in user changes their own password. */
export function addChangePassword(group: Command, output: CliOutput): void {
  group
    .command('change-password')
    .description('change the logged-in user\'s own password (prompted without echo; piped: current, new, new)')
    .action(async (_flags: object, command: Command) => {
      const { api } = adminContext(command, output);
      const me = await api.request<{ username: string }>('GET', '/api/v1/users/me');
      await changePassword(api, me.username, await ask('Current password: ', { secret: true }), output);
    });
}

/**
 * Asks for the new password twice, changes it through `POST /api/v1/auth/change-password`, and
 * logs in again with it: the change ends every token of the account, the saved one included.
 */
export async function changePassword(api: AdminApi, username: string, current: string, output: CliOutput): Promise<void> {
  const scope = api.saved()?.scope ?? FALLBACK_SCOPE;
  const next = await ask('New password: ', { secret: true });
  if ((await ask('Repeat the new password: ', { secret: true })) !== next) throw new Error('the two new passwords differ; nothing was changed');
  await api.request('POST', '/api/v1/auth/change-password', { body: { current_password: current, new_password: next } });
  await api.login(username, next, scope);
  output.out(`Password of ${username} changed; logged in again with the new one`);
}
