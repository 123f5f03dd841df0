import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { CliOutput } from '../../output.js';
import { adminContext, collect, outputFormat } from './context.js';
import { print, renderRecord, renderTable, type Column } from './format.js';
import { confirmed } from './prompt.js';

type Client = Record<string, unknown> & { client_id: string };

const COLUMNS: Column<Client>[] = [
  { header: 'CLIENT_ID', value: (c) => c.client_id },
  { header: 'NAME', value: (c) => c.client_name },
  { header: 'TYPE', value: (c) => c.client_type },
  { header: 'ACTIVE', value: (c) => c.is_active },
  { header: 'SCOPE', value: (c) => c.scope },
  { header: 'REDIRECT_URIS', value: (c) => c.redirect_uris },
];

interface CreateFlags {
  name: string;
  type: string;
  redirectUri: string[];
  scope?: string;
  clientUri?: string;
  logoUri?: string;
  tosUri?: string;
  policyUri?: string;
  authMethod?: string;
  pkce: boolean;
  jwks?: string;
  jwksUri?: string;
  requirePar?: boolean;
  dpopBound?: boolean;
}

interface UpdateFlags {
  name?: string;
  redirectUri?: string[];
  scope?: string;
  clientUri?: string;
  logoUri?: string;
  tosUri?: string;
  policyUri?: string;
  activate?: boolean;
  deactivate?: boolean;
  authMethod?: string;
  jwks?: string;
  jwksUri?: string;
  requirePar?: boolean;
  dpopBound?: boolean;
}

/** The key and sender-constraint fields both commands send; `undefined` leaves a field out. */
function keyFields(flags: { jwks?: string; jwksUri?: string; requirePar?: boolean; dpopBound?: boolean }) {
  return {
    jwks: flags.jwks === undefined ? undefined : flags.jwks === '' ? null : readJwks(flags.jwks),
    jwks_uri: flags.jwksUri === undefined ? undefined : flags.jwksUri === '' ? null : flags.jwksUri,
    require_pushed_authorization_requests: flags.requirePar,
    dpop_bound_access_tokens: flags.dpopBound,
  };
}

/** `--jwks` takes the JWK Set as JSON, or `@file` holding it. */
function readJwks(value: string): unknown {
  const text = value.startsWith('@') ? readFileSync(value.slice(1), 'utf8') : value;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new Error('--jwks must be a JSON JWK Set ({"keys": [...]}) or @file holding one');
  }
}

/** Flags of the private_key_jwt, PAR and DPoP settings, on create and update alike. */
function keyOptions(command: Command): Command {
  return command
    .option('--jwks <json|@file>', 'public JWK Set for private_key_jwt (empty string clears it)')
    .option('--jwks-uri <uri>', 'URL of the JWK Set for private_key_jwt (empty string clears it)')
    .option('--require-par', 'authorization requests must be pushed (PAR) first')
    .option('--no-require-par', 'authorization requests need not be pushed')
    .option('--dpop-bound', 'access tokens must be DPoP-bound')
    .option('--no-dpop-bound', 'access tokens need not be DPoP-bound');
}

/** `authly admin client …`, over `/admin/clients`. */
export function addClientCommands(admin: Command, output: CliOutput): void {
  const client = admin.command('client').description('manage OAuth clients');
  for (const add of [clientCreate, clientList, clientShow, clientUpdate, clientRegenerateSecret, clientDelete, clientRegistrationToken]) add(client, output);
}

async function create(command: Command, flags: CreateFlags, output: CliOutput): Promise<void> {
  const { api } = adminContext(command, output);
  const body = {
    client_name: flags.name,
    client_type: flags.type,
    redirect_uris: flags.redirectUri,
    scope: flags.scope,
    client_uri: flags.clientUri,
    logo_uri: flags.logoUri,
    tos_uri: flags.tosUri,
    policy_uri: flags.policyUri,
    token_endpoint_auth_method: flags.authMethod,
    require_pkce: flags.pkce,
    ...keyFields(flags),
  };
  const created = await api.request<{ client_id: string; client_secret: string | null }>('POST', '/admin/clients', { body });
  const shown = await api.request<Client>('GET', `/admin/clients/${encodeURIComponent(created.client_id)}`);
  const result = { ...shown, client_secret: created.client_secret };
  print(output, outputFormat(command), result, () => [
    ...renderRecord({ client_id: shown.client_id, name: shown.client_name, type: shown.client_type, auth_method: shown.token_endpoint_auth_method, redirect_uris: shown.redirect_uris, scopes: shown.assigned_scopes }),
    ...(created.client_secret ? [`client_secret: ${created.client_secret}`, 'Store the secret now: it cannot be shown again.'] : []),
  ]);
}

async function update(command: Command, clientId: string, flags: UpdateFlags, output: CliOutput): Promise<void> {
  if (flags.activate && flags.deactivate) throw new Error('--activate and --deactivate exclude each other');
  const body = {
    client_name: flags.name,
    redirect_uris: flags.redirectUri,
    scope: flags.scope,
    client_uri: flags.clientUri,
    logo_uri: flags.logoUri,
    tos_uri: flags.tosUri,
    policy_uri: flags.policyUri,
    is_active: flags.activate ? true : flags.deactivate ? false : undefined,
    token_endpoint_auth_method: flags.authMethod,
    ...keyFields(flags),
  };
  const updated = await adminContext(command, output).api.request<Client>('PUT', `/admin/clients/${encodeURIComponent(clientId)}`, { body });
  print(output, outputFormat(command), updated, () => renderRecord({ client_id: updated.client_id, name: updated.client_name, active: updated.is_active, scope: updated.scope, redirect_uris: updated.redirect_uris }));
}

function clientCreate(client: Command, output: CliOutput): void {
  const command = client
    .command('create')
    .description('register a client; a confidential client\'s secret is shown once')
    .requiredOption('--name <name>', 'client name')
    .requiredOption('--type <type>', 'confidential or public')
    .requiredOption('--redirect-uri <uri>', 'redirect URI (repeatable)', collect)
    .option('--scope <scopes>', 'space-separated scopes')
    .option('--client-uri <uri>').option('--logo-uri <uri>').option('--tos-uri <uri>').option('--policy-uri <uri>')
    .option('--auth-method <method>', 'client_secret_basic, client_secret_post, private_key_jwt or none')
    .option('--no-pkce', 'do not require PKCE')
    .option('--output <format>', 'table or json', 'table');
  keyOptions(command).action(async (flags: CreateFlags, command: Command) => create(command, flags, output));
}

function clientList(client: Command, output: CliOutput): void {
  client
    .command('list')
    .description('list clients, newest first')
    .option('--limit <n>', 'page size', '100')
    .option('--offset <n>', 'rows to skip', '0')
    .option('--show-inactive', 'include deactivated clients')
    .option('--output <format>', 'table or json', 'table')
    .action(async (flags: { limit: string; offset: string; showInactive?: boolean }, command: Command) => {
      const { api } = adminContext(command, output);
      const query = { limit: flags.limit, offset: flags.offset, include_inactive: String(flags.showInactive === true), active_only: String(flags.showInactive !== true) };
      const clients = await api.request<Client[]>('GET', '/admin/clients', { query });
      print(output, outputFormat(command), clients, () => renderTable(clients, COLUMNS));
    });
}

function clientShow(client: Command, output: CliOutput): void {
  client
    .command('show <client_id>')
    .description('show one client')
    .option('--output <format>', 'table or json', 'table')
    .action(async (clientId: string, _flags: object, command: Command) => {
      const shown = await adminContext(command, output).api.request<Client>('GET', `/admin/clients/${encodeURIComponent(clientId)}`);
      print(output, outputFormat(command), shown, () => renderRecord(shown));
    });
}

function clientUpdate(client: Command, output: CliOutput): void {
  const command = client
    .command('update <client_id>')
    .description('change a client')
    .option('--name <name>').option('--redirect-uri <uri>', 'replaces the redirect URIs (repeatable)', collect)
    .option('--scope <scopes>').option('--client-uri <uri>').option('--logo-uri <uri>').option('--tos-uri <uri>').option('--policy-uri <uri>')
    .option('--activate', 'reactivate the client').option('--deactivate', 'deactivate the client')
    .option('--auth-method <method>', 'client_secret_basic, client_secret_post, private_key_jwt or none')
    .option('--output <format>', 'table or json', 'table');
  keyOptions(command).action(async (clientId: string, flags: UpdateFlags, command: Command) => update(command, clientId, flags, output));
}

function clientRegenerateSecret(client: Command, output: CliOutput): void {
  client
    .command('regenerate-secret <client_id>')
    .description('replace a confidential client\'s secret; the new one is shown once')
    .option('--confirm', 'do not ask')
    .action(async (clientId: string, flags: { confirm?: boolean }, command: Command) => {
      await confirmed(`regenerate the secret of ${clientId}`, flags.confirm);
      const res = await adminContext(command, output).api.request<{ new_secret: string }>('POST', `/admin/clients/${encodeURIComponent(clientId)}/regenerate-secret`);
      output.out(`New client secret: ${res.new_secret}`);
      output.out('Store it now: it cannot be shown again.');
    });
}

function clientDelete(client: Command, output: CliOutput): void {
  client
    .command('delete <client_id>')
    .description('deactivate a client')
    .option('--confirm', 'do not ask')
    .action(async (clientId: string, flags: { confirm?: boolean }, command: Command) => {
      await confirmed(`deactivate client ${clientId}`, flags.confirm);
      const res = await adminContext(command, output).api.request<{ message: string }>('DELETE', `/admin/clients/${encodeURIComponent(clientId)}`);
      output.out(res.message);
    });
}

function clientRegistrationToken(client: Command, output: CliOutput): void {
  client
    .command('registration-token')
    .description('mint an initial access token for dynamic client registration (registration.policy token); shown once')
    .option('--expires-in <seconds>', 'lifetime (default registration.token_expire_seconds)')
    .option('--uses <n>', 'registrations it allows', '1')
    .option('--output <format>', 'table or json', 'table')
    .action(async (flags: { expiresIn?: string; uses: string }, command: Command) => {
      const body = { uses: Number(flags.uses), ...(flags.expiresIn !== undefined ? { expires_in: Number(flags.expiresIn) } : {}) };
      const minted = await adminContext(command, output).api.request<{ token: string; expires_at: string }>('POST', '/admin/registration-tokens', { body });
      print(output, outputFormat(command), minted, () => [...renderRecord(minted), 'Store the token now: it cannot be shown again.']);
    });
}
