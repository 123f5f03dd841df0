import type { ClientSecrets } from '../../crypto/client-secret.js';
import type { RandomSource } from '../../crypto/random.js';
import type { Client } from '../../domain/client.js';
import type { Repositories } from '../../repositories/repositories.js';
import type { Clock } from '../../repositories/ports.js';
import { badRequest, notFound } from '../users/detail-error.js';
import { toClientPatch, type ClientCreateInput, type ClientOidcUpdate, type ClientUpdateInput } from './client-input.js';
import { checkAuthMethod, checkBackchannelLogoutUri, checkClientKeys, checkOidcFields, checkRedirectUris, scopeNames } from './client-rules.js';
import { oidcFields, toClientModel, toClientResponse, type ClientModel, type ClientOidcFields, type ClientResponse } from './client-views.js';

/** What client administration needs. */
export interface ClientAdminDeps {
  repos: Repositories;
  secrets: ClientSecrets;
  random: RandomSource;
  clock: Clock;
}

/** `POST /admin/clients` answer: the secret is shown here and on regeneration only. */
export interface CreatedClient {
  client_id: string;
  client_secret: string | null;
  client_type: string;
  client_name: string;
}

const OIDC_SCOPES = ['openid', 'profile', 'email', 'address', 'phone'];

/** OAuth client administration. Secrets are high-entropy and HMAC-hashed. */
export class ClientAdmin {
  readonly #deps: ClientAdminDeps;

  constructor(deps: ClientAdminDeps) {
    this.#deps = deps;
  }

  /** Newest first; `include_inactive` is honoured. */
  async list(query: { limit: number; offset: number; includeInactive: boolean }): Promise<ClientModel[]> {
    const clients = await this.#deps.repos.clients.list(query);
    return clients.map(toClientModel);
  }

  /** Validates, creates and links the scopes. */
  async create(input: ClientCreateInput): Promise<CreatedClient> {
    const method = input.token_endpoint_auth_method ?? (input.client_type === 'public' ? 'none' : 'client_secret_basic');
    checkAuthMethod(input.client_type, method);
    checkRedirectUris(input.client_type, input.redirect_uris);
    checkBackchannelLogoutUri(input.backchannel_logout_uri);
    const scopes = await this.#checkScopes(input.scope);
    checkOidcFields(input, scopes);
    checkClientKeys({ token_endpoint_auth_method: method, jwks: input.jwks ?? null, jwks_uri: input.jwks_uri ?? null });
    // A private_key_jwt client proves itself with its key (RFC 7523 §2.2): a secret would be one more thing to leak.
    const secret = input.client_type === 'confidential' && method !== 'private_key_jwt' ? this.#deps.secrets.generate() : null;
    const { patch } = toClientPatch(input);
    const client = await this.#deps.repos.clients.create(
      {
        ...patch,
        // Authly's format: `client_` + 22 URL-safe characters (16 random bytes).
        clientId: `client_${this.#deps.random.token(16)}`,
        clientName: input.client_name,
        clientType: input.client_type,
        redirectUris: input.redirect_uris,
        tokenEndpointAuthMethod: method,
        clientSecretHash: secret === null ? null : this.#deps.secrets.hash(secret),
      },
      scopes,
    );
    return { client_id: client.clientId, client_secret: secret, client_type: client.clientType, client_name: client.clientName };
  }

  /** An active client with its assigned active scopes; 404 `Client not found: <id>`. */
  async get(clientId: string): Promise<ClientResponse & { assigned_scopes: string[] }> {
    const client = await this.#deps.repos.clients.findByClientId(clientId);
    if (!client) throw notFound(`Client not found: ${clientId}`);
    const linked = await this.#deps.repos.clients.findScopes(client.id);
    const active = await this.#deps.repos.scopes.findActiveByNames(linked);
    return { ...toClientResponse(client), assigned_scopes: active.map((s) => s.scopeName).sort() };
  }

  /**
   * Applies every documented field, `is_active` included: an inactive client can be re-activated.
   * Deactivating revokes every token issued to the client, as `deactivate` does.
   */
  async update(clientId: string, input: ClientUpdateInput): Promise<ClientModel> {
    const { patch, keys } = toClientPatch(input);
    if (keys.length === 0) throw badRequest('No valid fields to update');
    const client = await this.#findAnyState(clientId);
    if (input.token_endpoint_auth_method !== undefined) checkAuthMethod(client.clientType, input.token_endpoint_auth_method);
    if (input.redirect_uris !== undefined) checkRedirectUris(client.clientType, input.redirect_uris);
    checkBackchannelLogoutUri(input.backchannel_logout_uri);
    const scopes = input.scope !== undefined ? await this.#checkScopes(input.scope) : scopeNames(client.scope);
    checkOidcFields({ ...oidcFields(client), ...input }, scopes);
    checkClientKeys({
      token_endpoint_auth_method: input.token_endpoint_auth_method ?? client.tokenEndpointAuthMethod,
      jwks: input.jwks !== undefined ? input.jwks : client.jwks,
      jwks_uri: input.jwks_uri !== undefined ? input.jwks_uri : client.jwksUri,
    });
    const updated = await this.#deps.repos.clients.update(client.id, patch);
    if (!updated) throw notFound('Client not found');
    if (client.isActive && !updated.isActive) await this.#revokeTokens(client);
    if (input.scope !== undefined) await this.#deps.repos.clients.setScopes(client.id, scopes);
    return toClientModel(updated);
  }

  /** A new secret for a confidential client; the old one stops working at once. */
  async regenerateSecret(clientId: string): Promise<{ client_id: string; new_secret: string; message: string }> {
    const client = await this.#active(clientId);
    if (client.clientType !== 'confidential') throw badRequest('Only confidential clients can have secrets regenerated');
    const secret = this.#deps.secrets.generate();
    await this.#deps.repos.clients.update(client.id, { clientSecretHash: this.#deps.secrets.hash(secret) });
    return { client_id: client.clientId, new_secret: secret, message: 'Client secret regenerated successfully' };
  }

  /** Soft delete; every token issued to the client is revoked with it. */
  async deactivate(clientId: string): Promise<{ client_id: string; message: string }> {
    const client = await this.#active(clientId);
    await this.#deps.repos.clients.update(client.id, { isActive: false });
    await this.#revokeTokens(client);
    return { client_id: client.clientId, message: 'Client deactivated successfully' };
  }

  /**
   * After the flag is down (so no new token is issued to the client), the tokens it already
   * holds: access tokens at resource servers and refresh tokens alike.
   */
  async #revokeTokens(client: Client): Promise<void> {
    await this.#deps.repos.tokens.invalidateByClient(client.id, this.#deps.clock.now());
  }

  /** The client's OIDC settings from the stored row. */
  async getOidc(clientId: string): Promise<ClientOidcFields & { client_id: string; client_name: string; is_oidc_client: boolean; oidc_scopes: string[] }> {
    const client = await this.#active(clientId);
    const scopes = scopeNames(client.scope);
    return {
      client_id: client.clientId,
      client_name: client.clientName,
      is_oidc_client: scopes.includes('openid'),
      oidc_scopes: scopes.filter((s) => OIDC_SCOPES.includes(s)),
      ...oidcFields(client),
    };
  }

  /** Updates the OIDC settings; rules checked as on create, so the database CHECKs never fire. */
  async updateOidc(clientId: string, input: ClientOidcUpdate): Promise<{ client_id: string; message: string; updated_fields: string[] }> {
    const { patch, keys } = toClientPatch(input);
    if (keys.length === 0) throw badRequest('No valid OIDC fields provided for update');
    const client = await this.#active(clientId);
    checkOidcFields({ ...oidcFields(client), ...input }, scopeNames(client.scope));
    await this.#deps.repos.clients.update(client.id, patch);
    return { client_id: client.clientId, message: 'OIDC settings updated successfully', updated_fields: keys };
  }

  async #active(clientId: string): Promise<Client> {
    const client = await this.#deps.repos.clients.findByClientId(clientId);
    if (!client) throw notFound('Client not found');
    return client;
  }

  /** Active first (one indexed read); an inactive client is found by paging the admin listing. */
  async #findAnyState(clientId: string): Promise<Client> {
    const active = await this.#deps.repos.clients.findByClientId(clientId);
    if (active) return active;
    for (let offset = 0; ; offset += 500) {
      const page = await this.#deps.repos.clients.list({ includeInactive: true, limit: 500, offset });
      const found = page.find((c) => c.clientId === clientId);
      if (found) return found;
      if (page.length < 500) throw notFound('Client not found');
    }
  }

  /** Every named scope must exist and be active. */
  async #checkScopes(scope: string | null | undefined): Promise<string[]> {
    const names = [...new Set(scopeNames(scope))];
    const active = new Set((await this.#deps.repos.scopes.findActiveByNames(names)).map((s) => s.scopeName));
    const invalid = names.filter((n) => !active.has(n));
    if (invalid.length > 0) throw badRequest(`Invalid scopes: ${invalid.join(', ')}`);
    return names;
  }
}
