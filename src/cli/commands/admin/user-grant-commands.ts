import type { Command } from 'commander';
import type { CliOutput } from '../../output.js';
import { adminContext, outputFormat } from './context.js';
import { print, renderTable } from './format.js';
import { confirmed } from './prompt.js';
import { resolveUser } from './resolve-user.js';

/** One grant as `GET /admin/users/{id}/grants` answers it. */
interface AdminGrant {
  grant_id: string;
  client_id: string;
  client_name: string;
  scopes: string[];
  created_at: string;
}

/**
 * `authly admin user grants <user> [--revoke GRANT_ID]`: a user's remembered consents, and
 * revoking one (with every token issued under it).
 */
export function userGrants(user: Command, output: CliOutput): void {
  user
    .command('grants <user>')
    .description("list a user's grants (remembered consents), or revoke one with its tokens")
    .option('--revoke <grant_id>', 'revoke this grant and every token issued under it')
    .option('--confirm', 'do not ask before revoking')
    .option('--output <format>', 'table or json', 'table')
    .action(async (idOrName: string, flags: { revoke?: string; confirm?: boolean }, command: Command) => {
      const { api } = adminContext(command, output);
      const id = await resolveUser(api, idOrName);
      if (flags.revoke !== undefined) {
        await confirmed(`revoke grant ${flags.revoke} of ${idOrName} and its tokens`, flags.confirm);
        await api.request('DELETE', `/admin/users/${id}/grants/${encodeURIComponent(flags.revoke)}`);
        output.out(`revoked grant ${flags.revoke}`);
        return;
      }
      const grants = await api.request<AdminGrant[]>('GET', `/admin/users/${id}/grants`);
      print(output, outputFormat(command), grants, () => [
        ...renderTable(grants, [
          { header: 'GRANT_ID', value: (g) => g.grant_id },
          { header: 'CLIENT_ID', value: (g) => g.client_id },
          { header: 'CLIENT_NAME', value: (g) => g.client_name },
          { header: 'SCOPES', value: (g) => g.scopes.join(' ') },
          { header: 'CREATED', value: (g) => g.created_at },
        ]),
        `${grants.length} grant(s)`,
      ]);
    });
}
