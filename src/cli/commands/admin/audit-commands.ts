import type { Command } from 'commander';
import type { CliOutput } from '../../output.js';
import { adminContext, outputFormat } from './context.js';
import { print, renderTable, type Column } from './format.js';

interface AuditEventView {
  occurred_at: string;
  event: string;
  user_id: string | null;
  client_id: string | null;
  actor_id: string | null;
  details: Record<string, unknown>;
}

interface AuditPage {
  sink: 'log' | 'database';
  total: number;
  events: AuditEventView[];
}

const COLUMNS: Column<AuditEventView>[] = [
  { header: 'TIME', value: (e) => e.occurred_at },
  { header: 'EVENT', value: (e) => e.event },
  { header: 'USER', value: (e) => e.user_id },
  { header: 'CLIENT', value: (e) => e.client_id },
  { header: 'ACTOR', value: (e) => e.actor_id },
  { header: 'DETAILS', value: (e) => e.details },
];

interface ListFlags {
  user?: string;
  client?: string;
  event?: string;
  from?: string;
  to?: string;
  limit: string;
  offset: string;
}

/** `authly admin audit list`, over `GET /admin/audit-events`. */
export function addAuditCommands(admin: Command, output: CliOutput): void {
  admin
    .command('audit')
    .description('read stored security events (audit.sink: database)')
    .command('list')
    .description('list audit events, newest first')
    .option('--user <id>', 'only events about this user id')
    .option('--client <client_id>', 'only events about this client')
    .option('--event <name>', 'only this event (e.g. login.failed)')
    .option('--from <time>', 'from this RFC 3339 time (inclusive)')
    .option('--to <time>', 'until this RFC 3339 time (exclusive)')
    .option('--limit <n>', 'page size', '100')
    .option('--offset <n>', 'rows to skip', '0')
    .option('--output <format>', 'table or json', 'table')
    .action(async (flags: ListFlags, command: Command) => {
      const query = { user_id: flags.user, client_id: flags.client, event: flags.event, from: flags.from, to: flags.to, limit: flags.limit, offset: flags.offset };
      const page = await adminContext(command, output).api.request<AuditPage>('GET', '/admin/audit-events', { query });
      print(output, outputFormat(command), page, () => [
        ...renderTable(page.events, COLUMNS),
        page.sink === 'database' ? `${page.total} event(s)` : 'audit.sink is log: events are in the server log, none are stored',
      ]);
    });
}
