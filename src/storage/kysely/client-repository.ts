import type { Transaction } from 'kysely';
import type { Client, ClientListQuery, ClientPatch, NewClient } from '../../domain/client.js';
import type { ClientRepository } from '../../repositories/client-repository.js';
import { totalAndActive, translated, type RepositoryContext } from './context.js';
import type { Database } from './database.js';
import { decodeRow, encodeRow, type FieldMap } from './row-mapper.js';

const CLIENT_FIELDS: FieldMap<Client> = {
  id: ['id', 'plain'],
  clientId: ['client_id', 'plain'],
  clientSecretHash: ['client_secret_hash', 'plain'],
  clientName: ['client_name', 'plain'],
  clientType: ['client_type', 'plain'],
  redirectUris: ['redirect_uris', 'array'],
  grantTypes: ['grant_types', 'array'],
  responseTypes: ['response_types', 'array'],
  scope: ['scope', 'plain'],
  isActive: ['is_active', 'bool'],
  createdAt: ['created_at', 'time'],
  updatedAt: ['updated_at', 'time'],
  requirePkce: ['require_pkce', 'bool'],
  tokenEndpointAuthMethod: ['token_endpoint_auth_method', 'plain'],
  clientUri: ['client_uri', 'plain'],
  logoUri: ['logo_uri', 'plain'],
  tosUri: ['tos_uri', 'plain'],
  policyUri: ['policy_uri', 'plain'],
  jwksUri: ['jwks_uri', 'plain'],
  softwareId: ['software_id', 'plain'],
  softwareVersion: ['software_version', 'plain'],
  idTokenSignedResponseAlg: ['id_token_signed_response_alg', 'plain'],
  subjectType: ['subject_type', 'plain'],
  sectorIdentifierUri: ['sector_identifier_uri', 'plain'],
  requireAuthTime: ['require_auth_time', 'bool'],
  defaultMaxAge: ['default_max_age', 'plain'],
  initiateLoginUri: ['initiate_login_uri', 'plain'],
  requestUris: ['request_uris', 'array'],
  applicationType: ['application_type', 'plain'],
  contacts: ['contacts', 'array'],
  clientNameLocalized: ['client_name_localized', 'json'],
  logoUriLocalized: ['logo_uri_localized', 'json'],
  clientUriLocalized: ['client_uri_localized', 'json'],
  policyUriLocalized: ['policy_uri_localized', 'json'],
  tosUriLocalized: ['tos_uri_localized', 'json'],
  jwks: ['jwks', 'json'],
  requirePushedAuthorizationRequests: ['require_pushed_authorization_requests', 'bool'],
  dpopBoundAccessTokens: ['dpop_bound_access_tokens', 'bool'],
  backchannelLogoutUri: ['backchannel_logout_uri', 'plain'],
  backchannelLogoutSessionRequired: ['backchannel_logout_session_required', 'bool'],
};

/** Schema defaults for what `NewClient` leaves out. */
const CLIENT_DEFAULTS: Partial<Client> = {
  clientSecretHash: null,
  grantTypes: ['authorization_code', 'refresh_token'],
  responseTypes: ['code'],
  isActive: true,
  requirePkce: true,
  tokenEndpointAuthMethod: 'client_secret_basic',
  idTokenSignedResponseAlg: 'RS256',
  subjectType: 'public',
  requireAuthTime: false,
  requestUris: [],
  applicationType: 'web',
  contacts: [],
  jwks: null,
  requirePushedAuthorizationRequests: false,
  dpopBoundAccessTokens: false,
};

/** `ClientRepository` over Kysely, for SQLite and PostgreSQL alike. */
export class KyselyClientRepository implements ClientRepository {
  readonly #ctx: RepositoryContext;

  constructor(ctx: RepositoryContext) {
    this.#ctx = ctx;
  }

  #decode = (row: Record<string, unknown>): Client => {
    const client = decodeRow(CLIENT_FIELDS, this.#ctx.codec, row);
    // Authly leaves these columns NULL; NULLs read back as their defaults.
    client.idTokenSignedResponseAlg ??= 'RS256';
    client.subjectType ??= 'public';
    client.applicationType ??= 'web';
    client.requireAuthTime ??= false;
    client.isActive ??= true;
    client.requirePkce ??= true;
    client.tokenEndpointAuthMethod ??= 'client_secret_basic';
    client.requirePushedAuthorizationRequests ??= false;
    client.dpopBoundAccessTokens ??= false;
    client.backchannelLogoutUri ??= null;
    client.backchannelLogoutSessionRequired ??= false;
    return client;
  };

  async create(input: NewClient, scopeNames: readonly string[] = []): Promise<Client> {
    const { codec, clock, ids, db } = this.#ctx;
    const now = clock.now();
    const row = encodeRow(CLIENT_FIELDS, codec, { ...CLIENT_DEFAULTS, id: ids.uuid(), createdAt: now, updatedAt: now, ...input });
    const inserted = await translated(this.#ctx, () =>
      db.transaction().execute(async (trx) => {
        const client = await trx.insertInto('oauth_clients').values(row as never).returningAll().executeTakeFirstOrThrow();
        await this.#assignScopes(trx, client.id, scopeNames, now);
        return client;
      }),
    );
    return this.#decode(inserted);
  }

  async findById(id: string): Promise<Client | undefined> {
    const row = await this.#ctx.db.selectFrom('oauth_clients').selectAll().where('id', '=', id).executeTakeFirst();
    return row && this.#decode(row);
  }

  async findByClientId(clientId: string): Promise<Client | undefined> {
    const row = await this.#ctx.db
      .selectFrom('oauth_clients')
      .selectAll()
      .where('client_id', '=', clientId)
      // Inactive clients are invisible to every protocol path.
      .where('is_active', '=', this.#ctx.codec.bool(true))
      .executeTakeFirst();
    return row && this.#decode(row);
  }

  async list(query: ClientListQuery): Promise<Client[]> {
    let q = this.#ctx.db.selectFrom('oauth_clients').selectAll();
    if (!query.includeInactive) q = q.where('is_active', '=', this.#ctx.codec.bool(true));
    const rows = await q.orderBy('created_at', 'desc').orderBy('id').limit(query.limit).offset(query.offset).execute();
    return rows.map(this.#decode);
  }

  counts(): Promise<{ total: number; active: number }> {
    return totalAndActive(this.#ctx, 'oauth_clients');
  }


  async update(id: string, patch: ClientPatch): Promise<Client | undefined> {
    const { codec, clock, db } = this.#ctx;
    const row = encodeRow(CLIENT_FIELDS, codec, { ...patch, updatedAt: clock.now() });
    const updated = await translated(this.#ctx, () =>
      db.updateTable('oauth_clients').set(row as never).where('id', '=', id).returningAll().executeTakeFirst(),
    );
    return updated && this.#decode(updated);
  }

  async replaceSecretHash(id: string, expected: string, next: string): Promise<boolean> {
    const { codec, clock, db } = this.#ctx;
    const result = await db
      .updateTable('oauth_clients')
      .set({ client_secret_hash: next, updated_at: codec.time(clock.now()) })
      .where('id', '=', id)
      .where('client_secret_hash', '=', expected)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.#ctx.db.deleteFrom('oauth_clients').where('id', '=', id).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async findScopes(id: string): Promise<string[]> {
    const rows = await this.#ctx.db
      .selectFrom('oauth_client_scopes')
      .innerJoin('oauth_scopes', 'oauth_scopes.id', 'oauth_client_scopes.scope_id')
      .select('oauth_scopes.scope_name')
      .where('oauth_client_scopes.client_id', '=', id)
      .orderBy('oauth_scopes.scope_name')
      .execute();
    return rows.map((r) => r.scope_name);
  }

  async setScopes(id: string, scopeNames: readonly string[]): Promise<void> {
    const now = this.#ctx.clock.now();
    await translated(this.#ctx, () =>
      this.#ctx.db.transaction().execute(async (trx) => {
        await trx.deleteFrom('oauth_client_scopes').where('client_id', '=', id).execute();
        await this.#assignScopes(trx, id, scopeNames, now);
      }),
    );
  }

  async #assignScopes(trx: Transaction<Database>, clientId: string, names: readonly string[], now: Date): Promise<void> {
    const unique = [...new Set(names)];
    if (unique.length === 0) return;
    const scopes = await trx.selectFrom('oauth_scopes').select('id').where('scope_name', 'in', unique).execute();
    if (scopes.length === 0) return;
    const { ids, codec } = this.#ctx;
    await trx
      .insertInto('oauth_client_scopes')
      .values(scopes.map((s) => ({ id: ids.uuid(), client_id: clientId, scope_id: s.id, created_at: codec.time(now) })))
      .execute();
  }
}
