import type { ClientSecrets } from '../../crypto/client-secret.js';
import { constantTimeEqual, credentialDigest } from '../../crypto/digest.js';
import type { RandomSource } from '../../crypto/random.js';
import type { Client } from '../../domain/client.js';
import { AccessDenied, InvalidToken, OAuthError } from '../../protocol/errors.js';
import { isAdminScope } from '../../protocol/scope.js';
import type { Repositories } from '../../repositories/repositories.js';
import type { Clock } from '../../repositories/ports.js';
import { ClientAdmin } from '../admin/client-admin.js';
import type { ClientCreateInput, ClientUpdateInput } from '../admin/client-input.js';
import { scopeNames } from '../admin/client-rules.js';
import { DetailError } from '../users/detail-error.js';

/** `registration.policy`: who may call the registration endpoint. */
export type RegistrationPolicy = 'closed' | 'open' | 'token';

/** RFC 7591 §2 client metadata as this server accepts it (already schema-checked). */
export interface RegistrationMetadata {
  redirect_uris: string[];
  client_name?: string;
  token_endpoint_auth_method?: 'client_secret_basic' | 'client_secret_post' | 'none';
  grant_types?: string[];
  response_types?: string[];
  scope?: string;
  client_uri?: string;
  logo_uri?: string;
  tos_uri?: string;
  policy_uri?: string;
  contacts?: string[];
  software_id?: string;
  software_version?: string;
  application_type?: string;
  id_token_signed_response_alg?: 'RS256' | 'ES256';
  default_max_age?: number;
  require_auth_time?: boolean;
  initiate_login_uri?: string;
  backchannel_logout_uri?: string;
  backchannel_logout_session_required?: boolean;
}

/** What registration needs. */
export interface ClientRegistrationDeps {
  repos: Repositories;
  secrets: ClientSecrets;
  random: RandomSource;
  clock: Clock;
  policy: RegistrationPolicy;
  /** Default lifetime of initial access tokens. */
  initialAccessTokenTtlSeconds: number;
}

/** Where a registered client's configuration endpoint lives (RFC 7592 §1). */
export type ClientUriFor = (clientId: string) => string;

const DEFAULT_CLIENT_NAME = 'Dynamically registered client';

/**
 * Dynamic Client Registration (RFC 7591) and its management protocol (RFC 7592). A client is
 * created and changed through the same rules as the admin API (`ClientAdmin`), so a registered
 * client can be nothing an administrator could not have created; administrative scopes are never
 * registrable. Initial and registration access tokens are stored as digests.
 */
export class ClientRegistration {
  readonly #deps: ClientRegistrationDeps;
  readonly #admin: ClientAdmin;

  constructor(deps: ClientRegistrationDeps) {
    this.#deps = deps;
    this.#admin = new ClientAdmin(deps);
  }

  /** The policy in force. */
  get policy(): RegistrationPolicy {
    return this.#deps.policy;
  }

  /** `POST /admin/registration-tokens`: a new initial access token (RFC 7591 §3), shown once. */
  async mintInitialAccessToken(input: { expiresInSeconds?: number; uses?: number }): Promise<{ token: string; expires_at: string }> {
    const token = this.#deps.random.token(32);
    const expiresAt = new Date(this.#deps.clock.now().getTime() + (input.expiresInSeconds ?? this.#deps.initialAccessTokenTtlSeconds) * 1000);
    await this.#deps.repos.registrations.saveInitialAccessToken(credentialDigest(token), input.uses ?? 1, expiresAt);
    return { token, expires_at: expiresAt.toISOString() };
  }

  /**
   * RFC 7591 §3.1–3.2: checks the policy (closed: 403; token: one use of a live initial access
   * token, else 401), creates the client and answers its metadata with the one-time secret and
   * a registration access token for RFC 7592.
   */
  async register(metadata: RegistrationMetadata, bearer: string | undefined, clientUri: ClientUriFor): Promise<Record<string, unknown>> {
    if (this.#deps.policy === 'closed') throw new AccessDenied('Dynamic client registration is disabled');
    if (this.#deps.policy === 'token' && (!bearer || !(await this.#deps.repos.registrations.useInitialAccessToken(credentialDigest(bearer), this.#deps.clock.now())))) {
      throw new InvalidToken('A valid initial access token is required');
    }
    const created = await translateRules(() => this.#admin.create(createInput(metadata)));
    const client = await this.#deps.repos.clients.findByClientId(created.client_id);
    if (!client) throw new InvalidToken('The client is no longer registered');
    const token = await this.#newRegistrationToken(client);
    return registrationDocument(client, { token, uri: clientUri(client.clientId), secret: created.client_secret });
  }

  /** RFC 7592 §2.1: the client's current metadata. */
  async read(clientId: string, bearer: string | undefined, clientUri: ClientUriFor): Promise<Record<string, unknown>> {
    const client = await this.#authorized(clientId, bearer);
    return registrationDocument(client, { token: bearer!, uri: clientUri(client.clientId) });
  }

  /**
   * RFC 7592 §2.2: the body replaces the metadata (an omitted field is cleared); `client_id` must
   * be the client's own, and the client type (public or confidential) cannot change.
   */
  async update(clientId: string, bearer: string | undefined, metadata: RegistrationMetadata & { client_id?: string }, clientUri: ClientUriFor): Promise<Record<string, unknown>> {
    const client = await this.#authorized(clientId, bearer);
    if (metadata.client_id !== client.clientId) throw new OAuthError('invalid_client_metadata', 'client_id must be the registered client_id', 400, false);
    const input = createInput(metadata);
    if (input.client_type !== client.clientType) {
      throw new OAuthError('invalid_client_metadata', 'token_endpoint_auth_method cannot change between none and a secret', 400, false);
    }
    const { client_type: _type, ...fields } = input;
    const replacement: ClientUpdateInput = {
      client_uri: null,
      logo_uri: null,
      tos_uri: null,
      policy_uri: null,
      software_id: null,
      software_version: null,
      initiate_login_uri: null,
      default_max_age: null,
      backchannel_logout_uri: null,
      contacts: [],
      scope: null,
      ...fields,
    };
    await translateRules(() => this.#admin.update(client.clientId, replacement));
    const updated = await this.#deps.repos.clients.findByClientId(client.clientId);
    if (!updated) throw new InvalidToken('The client is no longer registered');
    return registrationDocument(updated, { token: bearer!, uri: clientUri(updated.clientId) });
  }

  /** RFC 7592 §2.3: deactivates the client (its tokens are revoked) and forgets its registration token. */
  async remove(clientId: string, bearer: string | undefined): Promise<void> {
    const client = await this.#authorized(clientId, bearer);
    await this.#admin.deactivate(client.clientId);
    await this.#deps.repos.registrations.deleteRegistrationToken(client.id);
  }

  /**
   * RFC 7592 §2: the registration access token must match the client's. An unknown or deleted
   * client answers the same 401 as a wrong token (§2.1: no hint whether the client exists).
   */
  async #authorized(clientId: string, bearer: string | undefined): Promise<Client> {
    const client = await this.#deps.repos.clients.findByClientId(clientId);
    const stored = client ? await this.#deps.repos.registrations.findRegistrationToken(client.id) : undefined;
    if (!client || !stored || !bearer || !constantTimeEqual(credentialDigest(bearer), stored)) {
      throw new InvalidToken('The registration access token is invalid');
    }
    return client;
  }

  async #newRegistrationToken(client: Client): Promise<string> {
    const token = this.#deps.random.token(32);
    await this.#deps.repos.registrations.setRegistrationToken(client.id, credentialDigest(token));
    return token;
  }
}

/** RFC 7591 metadata → the admin API's input; `none` makes a public client. */
function createInput(metadata: RegistrationMetadata): ClientCreateInput {
  const method = metadata.token_endpoint_auth_method ?? 'client_secret_basic';
  const admin = scopeNames(metadata.scope).filter(isAdminScope);
  if (admin.length > 0) throw new OAuthError('invalid_client_metadata', `Scopes that cannot be registered: ${admin.join(' ')}`, 400, false);
  return {
    client_name: metadata.client_name ?? DEFAULT_CLIENT_NAME,
    client_type: method === 'none' ? 'public' : 'confidential',
    token_endpoint_auth_method: method,
    redirect_uris: metadata.redirect_uris,
    // RFC 7591 §2: the defaults when omitted.
    grant_types: metadata.grant_types ?? ['authorization_code'],
    response_types: metadata.response_types ?? ['code'],
    ...pick(metadata, [
      'scope',
      'client_uri',
      'logo_uri',
      'tos_uri',
      'policy_uri',
      'contacts',
      'software_id',
      'software_version',
      'application_type',
      'id_token_signed_response_alg',
      'default_max_age',
      'require_auth_time',
      'initiate_login_uri',
      'backchannel_logout_uri',
      'backchannel_logout_session_required',
    ]),
  };
}

function pick<T extends object, K extends keyof T>(value: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const key of keys) if (value[key] !== undefined) out[key] = value[key];
  return out;
}

/** The admin rules' 400s as RFC 7591 §3.2.2 errors. */
async function translateRules<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof DetailError && error.status === 400) {
      const code = /redirect uri|Public clients must use/i.test(error.detail) ? 'invalid_redirect_uri' : 'invalid_client_metadata';
      throw new OAuthError(code, error.detail, 400, false, { cause: error });
    }
    throw error;
  }
}

/** RFC 7591 §3.2.1 / RFC 7592 §3: the registered metadata, without empty members. */
function registrationDocument(client: Client, extra: { token: string; uri: string; secret?: string | null }): Record<string, unknown> {
  const doc: Record<string, unknown> = {
    client_id: client.clientId,
    ...(extra.secret ? { client_secret: extra.secret } : {}),
    client_id_issued_at: Math.floor(client.createdAt.getTime() / 1000),
    ...(client.clientType === 'confidential' ? { client_secret_expires_at: 0 } : {}),
    registration_access_token: extra.token,
    registration_client_uri: extra.uri,
    client_name: client.clientName,
    redirect_uris: client.redirectUris,
    grant_types: client.grantTypes,
    response_types: client.responseTypes,
    token_endpoint_auth_method: client.tokenEndpointAuthMethod,
    scope: client.scope,
    client_uri: client.clientUri,
    logo_uri: client.logoUri,
    tos_uri: client.tosUri,
    policy_uri: client.policyUri,
    contacts: client.contacts.length > 0 ? client.contacts : undefined,
    software_id: client.softwareId,
    software_version: client.softwareVersion,
    application_type: client.applicationType,
    id_token_signed_response_alg: client.idTokenSignedResponseAlg,
    default_max_age: client.defaultMaxAge,
    require_auth_time: client.requireAuthTime,
    initiate_login_uri: client.initiateLoginUri,
    backchannel_logout_uri: client.backchannelLogoutUri,
    backchannel_logout_session_required: client.backchannelLogoutUri ? client.backchannelLogoutSessionRequired : undefined,
  };
  for (const key of Object.keys(doc)) if (doc[key] === null || doc[key] === undefined) delete doc[key];
  return doc;
}
