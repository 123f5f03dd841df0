import type { Generated } from 'kysely';

/*
 * Row types as the drivers hand them over. One query text serves both engines, so a column's
 * type is the union of what pg and better-sqlite3 return; `codec.ts` turns it into domain values.
 * PostgreSQL: UUID/TEXT → string, BOOLEAN → boolean, TIMESTAMPTZ → Date, TEXT[] → string[],
 * JSONB → parsed value, DATE → 'YYYY-MM-DD' (type parser set in storage/postgres).
 * SQLite: everything is TEXT/INTEGER: booleans 0/1, timestamps ISO-8601 UTC, arrays and objects JSON.
 */

/** A boolean column: `boolean` on PostgreSQL, 0/1 on SQLite. */
export type DbBool = boolean | number;
/** A timestamp column: `Date` on PostgreSQL, ISO-8601 text on SQLite. */
export type DbTime = Date | string;
/** A TEXT[] column: an array on PostgreSQL, JSON text on SQLite. */
export type DbArray = string[] | string;
/** A JSONB column: parsed on PostgreSQL, JSON text on SQLite. */
export type DbJson = unknown;

/** `users`. */
export interface UsersTable {
  id: string;
  username: string;
  email: string;
  password_hash: string;
  created_at: DbTime | null;
  updated_at: DbTime | null;
  last_login: DbTime | null;
  is_active: DbBool | null;
  is_verified: DbBool | null;
  is_admin: DbBool | null;
  requires_password_change: DbBool | null;
  given_name: string | null;
  family_name: string | null;
  middle_name: string | null;
  nickname: string | null;
  preferred_username: string | null;
  profile: string | null;
  picture: string | null;
  website: string | null;
  gender: string | null;
  birthdate: string | null;
  zoneinfo: string | null;
  locale: string | null;
  phone_number: string | null;
  phone_number_verified: DbBool | null;
  address: DbJson | null;
  /** Added by the user-session-epoch migration; NOT NULL DEFAULT 0. */
  session_epoch: Generated<number>;
}

/** `oauth_clients`. */
export interface OAuthClientsTable {
  id: string;
  client_id: string;
  client_secret_hash: string | null;
  client_name: string;
  client_type: string;
  redirect_uris: DbArray;
  grant_types: DbArray;
  response_types: DbArray;
  scope: string | null;
  is_active: DbBool | null;
  created_at: DbTime | null;
  updated_at: DbTime | null;
  require_pkce: DbBool | null;
  token_endpoint_auth_method: string | null;
  client_uri: string | null;
  logo_uri: string | null;
  tos_uri: string | null;
  policy_uri: string | null;
  jwks_uri: string | null;
  software_id: string | null;
  software_version: string | null;
  id_token_signed_response_alg: string | null;
  subject_type: string | null;
  sector_identifier_uri: string | null;
  require_auth_time: DbBool | null;
  default_max_age: number | null;
  initiate_login_uri: string | null;
  request_uris: DbArray | null;
  application_type: string | null;
  contacts: DbArray | null;
  client_name_localized: DbJson | null;
  logo_uri_localized: DbJson | null;
  client_uri_localized: DbJson | null;
  policy_uri_localized: DbJson | null;
  tos_uri_localized: DbJson | null;
  /** Added by the PAR/DPoP migration. */
  jwks: DbJson | null;
  require_pushed_authorization_requests: Generated<DbBool>;
  dpop_bound_access_tokens: Generated<DbBool>;
  /** Added by the client-backchannel-logout migration (OIDC Back-Channel Logout 1.0 §2.2). */
  backchannel_logout_uri: string | null;
  backchannel_logout_session_required: DbBool | null;
}

/** `tokens`. */
export interface TokensTable {
  id: string;
  user_id: string | null;
  client_id: string | null;
  token_jti: string;
  token_type: string;
  token_value: string;
  scope: string | null;
  invalidated: DbBool;
  invalidated_at: DbTime | null;
  expires_at: DbTime;
  created_at: DbTime;
  created_by_ip: string | null;
  user_agent: string | null;
  grant_id: string | null;
  consent_id: string | null;
}

/** `oauth_consents`: a user's remembered consent for a client (OIDC Core §3.1.2.4). Ours, not Authly's. */
export interface OAuthConsentsTable {
  id: string;
  user_id: string;
  client_id: string;
  scopes: string;
  created_at: DbTime;
  revoked_at: DbTime | null;
}

/** `token_family_revocations`: a durable marker per revoked token family (RFC 9700 §4.14.2). */
export interface TokenFamilyRevocationsTable {
  grant_id: string;
  revoked_at: DbTime;
}

/** `oauth_scopes`. */
export interface OAuthScopesTable {
  id: string;
  scope_name: string;
  description: string | null;
  is_default: DbBool | null;
  is_active: DbBool | null;
  created_at: DbTime | null;
  updated_at: DbTime | null;
}

/** `oauth_client_scopes`. */
export interface OAuthClientScopesTable {
  id: string;
  client_id: string;
  scope_id: string;
  created_at: DbTime | null;
}

/** `oauth_authorization_codes`. */
export interface OAuthAuthorizationCodesTable {
  id: string;
  code: string;
  client_id: string;
  user_id: string;
  redirect_uri: string;
  scope: string | null;
  expires_at: DbTime;
  created_at: DbTime | null;
  used_at: DbTime | null;
  is_used: DbBool | null;
  code_challenge: string;
  code_challenge_method: string;
  nonce: string | null;
  state: string | null;
  response_mode: string | null;
  display: string | null;
  prompt: string | null;
  max_age: number | null;
  ui_locales: string | null;
  id_token_hint: string | null;
  login_hint: string | null;
  acr_values: string | null;
  auth_time: DbTime | null;
  consent_id: string | null;
  /** RFC 9449 §10: the JWK thumbprint the code is bound to. */
  dpop_jkt: string | null;
  /** Added by the backchannel-logout migration: the browser session the code was issued in. */
  sid: string | null;
}

/** `oauth_token_scopes`: in the schema, not written by Authly. */
export interface OAuthTokenScopesTable {
  id: string;
  token_id: string;
  scope_id: string;
  created_at: Generated<DbTime | null>;
}

/** `oidc_jwks_keys` plus our `private_key_data` column. */
export interface OidcJwksKeysTable {
  kid: string;
  key_data: DbJson;
  key_type: string;
  algorithm: string;
  key_use: string;
  is_active: DbBool | null;
  created_at: DbTime | null;
  expires_at: DbTime | null;
  key_size: number | null;
  curve: string | null;
  private_key_data: string | null;
}

/** `authly_leases`: which instance may run a periodic job (the pruner) until when. Ours, not Authly's. */
export interface AuthlyLeasesTable {
  name: string;
  holder: string;
  expires_at: DbTime;
}

/** `audit_events`: security events when `audit.sink` is `database`. Ours, not Authly's. */
export interface AuditEventsTable {
  id: string;
  event: string;
  occurred_at: DbTime;
  user_id: string | null;
  client_id: string | null;
  actor_id: string | null;
  request_id: string | null;
  details: DbJson;
}

/** `oauth_pushed_requests`: pushed authorization requests (RFC 9126), by request_uri digest. */
export interface OAuthPushedRequestsTable {
  request_uri_hash: string;
  client_id: string;
  parameters: DbJson;
  expires_at: DbTime;
  created_at: DbTime;
}

/** `authly_device_codes`: device authorization requests (RFC 8628). Ours, not Authly's. */
export interface AuthlyDeviceCodesTable {
  id: string;
  device_code: string;
  user_code: string;
  client_id: string;
  scope: string | null;
  status: string;
  user_id: string | null;
  auth_time: DbTime | null;
  sid: string | null;
  interval_seconds: number;
  next_poll_at: DbTime | null;
  expires_at: DbTime;
  created_at: DbTime;
}

/** `authly_replay_guards`: seen one-time values (assertion and DPoP proof `jti`s) until they expire. */
export interface AuthlyReplayGuardsTable {
  guard_key: string;
  expires_at: DbTime;
}

/** `authly_initial_access_tokens`: who may register a client under the token policy (RFC 7591 §3). */
export interface AuthlyInitialAccessTokensTable {
  token_hash: string;
  uses_remaining: number;
  expires_at: DbTime;
  created_at: DbTime;
}

/** `authly_client_registrations`: a registered client's registration access token digest (RFC 7592). */
export interface AuthlyClientRegistrationsTable {
  client_id: string;
  access_token_hash: string;
  created_at: DbTime;
}

/** `authly_logout_sessions`: which client holds an ID token of which browser session. */
export interface AuthlyLogoutSessionsTable {
  sid: string;
  client_id: string;
  user_id: string;
  issuer: string;
  created_at: DbTime;
}

/** `authly_backchannel_outbox`: logout notices still to deliver (Back-Channel Logout 1.0). */
export interface AuthlyBackchannelOutboxTable {
  id: string;
  client_id: string;
  issuer: string;
  sub: string;
  sid: string;
  attempts: number;
  next_attempt_at: DbTime;
  last_error: string | null;
  created_at: DbTime;
}

/** The table map Kysely is typed with. */
export interface Database {
  users: UsersTable;
  oauth_clients: OAuthClientsTable;
  tokens: TokensTable;
  token_family_revocations: TokenFamilyRevocationsTable;
  oauth_consents: OAuthConsentsTable;
  oauth_scopes: OAuthScopesTable;
  oauth_client_scopes: OAuthClientScopesTable;
  oauth_authorization_codes: OAuthAuthorizationCodesTable;
  oauth_token_scopes: OAuthTokenScopesTable;
  oidc_jwks_keys: OidcJwksKeysTable;
  authly_leases: AuthlyLeasesTable;
  audit_events: AuditEventsTable;
  oauth_pushed_requests: OAuthPushedRequestsTable;
  authly_replay_guards: AuthlyReplayGuardsTable;
  authly_device_codes: AuthlyDeviceCodesTable;
  authly_initial_access_tokens: AuthlyInitialAccessTokensTable;
  authly_client_registrations: AuthlyClientRegistrationsTable;
  authly_logout_sessions: AuthlyLogoutSessionsTable;
  authly_backchannel_outbox: AuthlyBackchannelOutboxTable;
}
