import type { Command } from 'commander';
import type { CliOutput } from '../../output.js';
import { adminContext, outputFormat } from './context.js';
import { print, renderRecord, renderTable, type Column } from './format.js';
import { confirmed } from './prompt.js';

type Scope = Record<string, unknown> & { scope_name: string };

const COLUMNS: Column<Scope>[] = [
  { header: 'NAME', value: (s) => s.scope_name },
  { header: 'DEFAULT', value: (s) => s.is_default },
  { header: 'ACTIVE', value: (s) => s.is_active },
  { header: 'DESCRIPTION', value: (s) => s.description },
];

interface UpdateFlags {
  description?: string;
  makeDefault?: boolean;
  removeDefault?: boolean;
  activate?: boolean;
  deactivate?: boolean;
}

const path = (name: string) => `/admin/scopes/${encodeURIComponent(name)}`;

/** `authly admin scope …`, over `/admin/scopes`. */
export function addScopeCommands(admin: Command, output: CliOutput): void {
  const scope = admin.command('scope').description('manage OAuth scopes');
  for (const add of [scopeCreate, scopeList, scopeDefaults, scopeShow, scopeUpdate, scopeDelete]) add(scope, output);
}

function scopeCreate(scope: Command, output: CliOutput): void {
  scope
    .command('create')
    .description('create a scope')
    .requiredOption('--name <name>', 'scope name')
    .option('--description <text>', 'what the scope grants')
    .option('--default', 'granted when a request names no scope')
    .option('--output <format>', 'table or json', 'table')
    .action(async (flags: { name: string; description?: string; default?: boolean }, command: Command) => {
      const body = { scope_name: flags.name, description: flags.description, is_default: flags.default === true };
      const created = await adminContext(command, output).api.request<Scope>('POST', '/admin/scopes', { body });
      print(output, outputFormat(command), created, () => renderRecord(created));
    });
}

function scopeList(scope: Command, output: CliOutput): void {
  scope
    .command('list')
    .description('list scopes by name')
    .option('--limit <n>', 'page size', '100')
    .option('--offset <n>', 'rows to skip', '0')
    .option('--show-inactive', 'include deactivated scopes')
    .option('--default-only', 'only the default scopes')
    .option('--output <format>', 'table or json', 'table')
    .action(async (flags: { limit: string; offset: string; showInactive?: boolean; defaultOnly?: boolean }, command: Command) => {
      const query = { limit: flags.limit, offset: flags.offset, include_inactive: String(flags.showInactive === true), default_only: String(flags.defaultOnly === true) };
      const scopes = await adminContext(command, output).api.request<Scope[]>('GET', '/admin/scopes', { query });
      print(output, outputFormat(command), scopes, () => renderTable(scopes, COLUMNS));
    });
}

function scopeDefaults(scope: Command, output: CliOutput): void {
  scope
    .command('defaults')
    .description('list the default scopes')
    .option('--output <format>', 'table or json', 'table')
    .action(async (_flags: object, command: Command) => {
      const scopes = await adminContext(command, output).api.request<Scope[]>('GET', '/admin/scopes/defaults');
      print(output, outputFormat(command), scopes, () => renderTable(scopes, COLUMNS));
    });
}

function scopeShow(scope: Command, output: CliOutput): void {
  scope
    .command('show <name>')
    .description('show one scope')
    .option('--output <format>', 'table or json', 'table')
    .action(async (name: string, _flags: object, command: Command) => {
      const shown = await adminContext(command, output).api.request<Scope>('GET', path(name));
      print(output, outputFormat(command), shown, () => renderRecord(shown));
    });
}

function scopeUpdate(scope: Command, output: CliOutput): void {
  scope
    .command('update <name>')
    .description('change a scope')
    .option('--description <text>')
    .option('--make-default').option('--remove-default')
    .option('--activate').option('--deactivate')
    .option('--output <format>', 'table or json', 'table')
    .action(async (name: string, flags: UpdateFlags, command: Command) => {
      const body = {
        description: flags.description,
        is_default: flags.makeDefault ? true : flags.removeDefault ? false : undefined,
        is_active: flags.activate ? true : flags.deactivate ? false : undefined,
      };
      const updated = await adminContext(command, output).api.request<Scope>('PUT', path(name), { body });
      print(output, outputFormat(command), updated, () => renderRecord(updated));
    });
}

function scopeDelete(scope: Command, output: CliOutput): void {
  scope
    .command('delete <name>')
    .description('deactivate a scope')
    .option('--confirm', 'do not ask')
    .action(async (name: string, flags: { confirm?: boolean }, command: Command) => {
      await confirmed(`deactivate scope ${name}`, flags.confirm);
      const res = await adminContext(command, output).api.request<{ message: string }>('DELETE', path(name));
      output.out(res.message);
    });
}
