/*
 * The SQLite equivalent of Authly's schema. Same tables, column names,
 * NULL/NOT NULL, CHECKs, UNIQUEs, foreign keys and index names; the types are mapped:
 *   UUID        → TEXT (the application supplies ids; the default below is a fallback)
 *   TEXT[]      → TEXT holding a JSON array, CHECKed with json_valid + json_type = 'array'
 *   JSONB       → TEXT holding JSON, CHECKed with json_valid
 *   BOOLEAN     → INTEGER CHECKed to 0/1
 *   TIMESTAMPTZ → TEXT, ISO-8601 UTC with milliseconds ('YYYY-MM-DDTHH:MM:SS.sssZ', as JS
 *                 toISOString), so text order is time order and comparisons work as strings
 *   DATE        → TEXT 'YYYY-MM-DD'
 *   VARCHAR(n)  → TEXT (SQLite ignores declared lengths; the application validates them)
 * Foreign keys only bite with `PRAGMA foreign_keys = ON`, which the storage layer sets.
 */

/** Now, in the same shape as `Date.prototype.toISOString()` (`%f` is seconds with milliseconds). */
export const SQLITE_NOW = `strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`;

/**
 * A random version-4-shaped UUID (lower-case, 8-4-4-4-12, version nibble 4, variant 8/9/a/b),
 * mirroring PostgreSQL's `gen_random_uuid()` default for rows inserted outside the application.
 */
export const SQLITE_UUID_V4 =
  `lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' || ` +
  `substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))`;

const ID = `id TEXT PRIMARY KEY NOT NULL DEFAULT (${SQLITE_UUID_V4})`;
const NOW = `DEFAULT (${SQLITE_NOW})`;

/** Joins the non-empty parts of a column definition. */
function column(...parts: string[]): string {
  return parts.filter((part) => part !== '').join(' ');
}

/** A BOOLEAN column: INTEGER restricted to 0/1 (NULL passes a CHECK, so nullability is kept). */
function bool(name: string, rest = ''): string {
  return column(name, 'INTEGER', rest, `CHECK (${name} IN (0, 1))`);
}

/** A TEXT[] column: a JSON array in TEXT. */
function textArray(name: string, rest = ''): string {
  return column(name, 'TEXT', rest, `CHECK (json_valid(${name}) AND json_type(${name}) = 'array')`);
}

/** A JSONB column: any JSON value in TEXT. */
function json(name: string, rest = ''): string {
  return column(name, 'TEXT', rest, `CHECK (json_valid(${name}))`);
}

/** `users`. */
const USERS = [
  `CREATE TABLE IF NOT EXISTS users (
    ${ID},
    username TEXT UNIQUE NOT NULL,
    email TEXT UNIQUE NOT NULL,
    password_hash TEXT NOT NULL,
    created_at TEXT ${NOW},
    updated_at TEXT ${NOW},
    last_login TEXT,
    ${bool('is_active', 'DEFAULT 1')},
    ${bool('is_verified', 'DEFAULT 0')},
    ${bool('is_admin', 'DEFAULT 0')},
    ${bool('requires_password_change', 'DEFAULT 0')},
    given_name TEXT,
    family_name TEXT,
    middle_name TEXT,
    nickname TEXT,
    preferred_username TEXT,
    profile TEXT,
    picture TEXT,
    website TEXT,
    gender TEXT,
    birthdate TEXT,
    zoneinfo TEXT,
    locale TEXT,
    phone_number TEXT,
    ${bool('phone_number_verified')},
    ${json('address')}
  )`,
  `CREATE INDEX IF NOT EXISTS idx_users_username ON users (username)`,
  `CREATE INDEX IF NOT EXISTS idx_users_email ON users (email)`,
  `CREATE INDEX IF NOT EXISTS idx_users_requires_password_change ON users (requires_password_change)
    WHERE requires_password_change = 1`,
  `CREATE INDEX IF NOT EXISTS idx_users_given_name ON users (given_name) WHERE given_name IS NOT NULL`,
  `CREATE INDEX IF NOT EXISTS idx_users_family_name ON users (family_name) WHERE family_name IS NOT NULL`,
  `CREATE INDEX IF NOT EXISTS idx_users_preferred_username ON users (preferred_username)
    WHERE preferred_username IS NOT NULL`,
  `CREATE INDEX IF NOT EXISTS idx_users_phone_verified ON users (phone_number_verified)
    WHERE phone_number_verified IS NOT NULL`,
  `CREATE INDEX IF NOT EXISTS idx_users_locale ON users (locale) WHERE locale IS NOT NULL`,
  `CREATE INDEX IF NOT EXISTS idx_users_zoneinfo ON users (zoneinfo) WHERE zoneinfo IS NOT NULL`,
  // idx_users_address_gin and idx_users_admin_text_search have no SQLite counterpart: there is
  // no GIN or tsvector, and the admin search runs LOWER(...) LIKE '%term%', which
  // no B-tree index can serve. They are left out rather than replaced by useless indexes.
  `CREATE INDEX IF NOT EXISTS idx_users_admin_composite ON users (created_at DESC, is_active, is_admin, is_verified)`,
  `CREATE INDEX IF NOT EXISTS idx_users_admin_dates ON users (created_at, last_login)`,
];

/** `oauth_clients`. */
const OAUTH_CLIENTS = [
  `CREATE TABLE IF NOT EXISTS oauth_clients (
    ${ID},
    client_id TEXT UNIQUE NOT NULL,
    client_secret_hash TEXT,
    client_name TEXT NOT NULL,
    client_type TEXT NOT NULL CHECK (client_type IN ('confidential', 'public')),
    ${textArray('redirect_uris', 'NOT NULL')},
    ${textArray('grant_types', `NOT NULL DEFAULT '["authorization_code","refresh_token"]'`)},
    ${textArray('response_types', `NOT NULL DEFAULT '["code"]'`)},
    scope TEXT,
    ${bool('is_active', 'DEFAULT 1')},
    created_at TEXT ${NOW},
    updated_at TEXT ${NOW},
    ${bool('require_pkce', 'DEFAULT 1')},
    token_endpoint_auth_method TEXT DEFAULT 'client_secret_basic',
    client_uri TEXT,
    logo_uri TEXT,
    tos_uri TEXT,
    policy_uri TEXT,
    jwks_uri TEXT,
    software_id TEXT,
    software_version TEXT,
    id_token_signed_response_alg TEXT DEFAULT 'RS256'
      -- Wider than Authly's list: see 2025-01-04T0000-signing-algorithms (EdDSA; docs/compatibility.md).
      CHECK (id_token_signed_response_alg IN ('RS256', 'HS256', 'ES256', 'EdDSA')),
    subject_type TEXT DEFAULT 'public' CHECK (subject_type IN ('public', 'pairwise')),
    sector_identifier_uri TEXT,
    ${bool('require_auth_time', 'DEFAULT 0')},
    default_max_age INTEGER CHECK (default_max_age >= 0),
    initiate_login_uri TEXT,
    ${textArray('request_uris', `DEFAULT '[]'`)},
    application_type TEXT DEFAULT 'web' CHECK (application_type IN ('web', 'native')),
    ${textArray('contacts', `DEFAULT '[]'`)},
    ${json('client_name_localized')},
    ${json('logo_uri_localized')},
    ${json('client_uri_localized')},
    ${json('policy_uri_localized')},
    ${json('tos_uri_localized')}
  )`,
  `CREATE INDEX IF NOT EXISTS idx_oauth_clients_client_id ON oauth_clients (client_id)`,
  `CREATE INDEX IF NOT EXISTS idx_oauth_clients_active ON oauth_clients (is_active)`,
];

/** `tokens`. */
const TOKENS = [
  `CREATE TABLE IF NOT EXISTS tokens (
    ${ID},
    -- Nullable, as in upstream Authly's own init script: client_credentials tokens have no user.
    user_id TEXT REFERENCES users (id) ON DELETE CASCADE,
    client_id TEXT REFERENCES oauth_clients (id) ON DELETE SET NULL,
    token_jti TEXT NOT NULL UNIQUE,
    token_type TEXT NOT NULL CHECK (token_type IN ('access', 'refresh')),
    token_value TEXT NOT NULL,
    scope TEXT,
    ${bool('invalidated', 'NOT NULL DEFAULT 0')},
    invalidated_at TEXT,
    expires_at TEXT NOT NULL,
    created_at TEXT NOT NULL ${NOW},
    created_by_ip TEXT,
    user_agent TEXT
  )`,
  `CREATE INDEX IF NOT EXISTS idx_tokens_user_id ON tokens (user_id)`,
  `CREATE INDEX IF NOT EXISTS idx_tokens_jti ON tokens (token_jti)`,
  `CREATE INDEX IF NOT EXISTS idx_tokens_expires_at ON tokens (expires_at)`,
  `CREATE INDEX IF NOT EXISTS idx_tokens_client_id ON tokens (client_id)`,
  `CREATE INDEX IF NOT EXISTS idx_tokens_scope ON tokens (scope)`,
  `CREATE INDEX IF NOT EXISTS idx_tokens_session_count ON tokens (user_id, token_type, invalidated, expires_at)
    WHERE token_type = 'access'`,
  `CREATE INDEX IF NOT EXISTS idx_tokens_session_listing ON tokens (user_id, created_at DESC, invalidated, expires_at)`,
  `CREATE INDEX IF NOT EXISTS idx_tokens_active_sessions ON tokens (user_id, created_at DESC)
    WHERE token_type = 'access' AND invalidated = 0`,
];

/** `oauth_scopes` and `oauth_client_scopes`. */
const SCOPES = [
  `CREATE TABLE IF NOT EXISTS oauth_scopes (
    ${ID},
    scope_name TEXT UNIQUE NOT NULL,
    description TEXT,
    ${bool('is_default', 'DEFAULT 0')},
    ${bool('is_active', 'DEFAULT 1')},
    created_at TEXT ${NOW},
    updated_at TEXT ${NOW}
  )`,
  `CREATE INDEX IF NOT EXISTS idx_oauth_scopes_name ON oauth_scopes (scope_name)`,
  `CREATE INDEX IF NOT EXISTS idx_oauth_scopes_active ON oauth_scopes (is_active)`,
  `CREATE INDEX IF NOT EXISTS idx_oauth_scopes_default ON oauth_scopes (is_default)`,
  `CREATE TABLE IF NOT EXISTS oauth_client_scopes (
    ${ID},
    client_id TEXT NOT NULL REFERENCES oauth_clients (id) ON DELETE CASCADE,
    scope_id TEXT NOT NULL REFERENCES oauth_scopes (id) ON DELETE CASCADE,
    created_at TEXT ${NOW},
    UNIQUE (client_id, scope_id)
  )`,
  `CREATE INDEX IF NOT EXISTS idx_oauth_client_scopes_client ON oauth_client_scopes (client_id)`,
  `CREATE INDEX IF NOT EXISTS idx_oauth_client_scopes_scope ON oauth_client_scopes (scope_id)`,
];

/** `oauth_authorization_codes`. */
const AUTHORIZATION_CODES = [
  `CREATE TABLE IF NOT EXISTS oauth_authorization_codes (
    ${ID},
    code TEXT UNIQUE NOT NULL,
    client_id TEXT NOT NULL REFERENCES oauth_clients (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    redirect_uri TEXT NOT NULL,
    scope TEXT,
    expires_at TEXT NOT NULL,
    created_at TEXT ${NOW},
    used_at TEXT,
    ${bool('is_used', 'DEFAULT 0')},
    code_challenge TEXT NOT NULL,
    code_challenge_method TEXT NOT NULL DEFAULT 'S256' CHECK (code_challenge_method IN ('S256')),
    nonce TEXT,
    state TEXT,
    response_mode TEXT CHECK (response_mode IN ('query', 'fragment', 'form_post')),
    display TEXT CHECK (display IN ('page', 'popup', 'touch', 'wap')),
    prompt TEXT CHECK (prompt IN ('none', 'login', 'consent', 'select_account')),
    max_age INTEGER CHECK (max_age >= 0),
    ui_locales TEXT,
    id_token_hint TEXT,
    login_hint TEXT,
    acr_values TEXT
  )`,
  `CREATE INDEX IF NOT EXISTS idx_oauth_authz_codes_code ON oauth_authorization_codes (code)`,
  `CREATE INDEX IF NOT EXISTS idx_oauth_authz_codes_client ON oauth_authorization_codes (client_id)`,
  `CREATE INDEX IF NOT EXISTS idx_oauth_authz_codes_user ON oauth_authorization_codes (user_id)`,
  `CREATE INDEX IF NOT EXISTS idx_oauth_authz_codes_expires ON oauth_authorization_codes (expires_at)`,
  `CREATE INDEX IF NOT EXISTS idx_oauth_authz_codes_used ON oauth_authorization_codes (is_used)`,
];

/** `oauth_token_scopes` and `oidc_jwks_keys`. */
const TOKEN_SCOPES_AND_KEYS = [
  `CREATE TABLE IF NOT EXISTS oauth_token_scopes (
    ${ID},
    token_id TEXT NOT NULL REFERENCES tokens (id) ON DELETE CASCADE,
    scope_id TEXT NOT NULL REFERENCES oauth_scopes (id) ON DELETE CASCADE,
    created_at TEXT ${NOW},
    UNIQUE (token_id, scope_id)
  )`,
  `CREATE INDEX IF NOT EXISTS idx_oauth_token_scopes_token ON oauth_token_scopes (token_id)`,
  `CREATE INDEX IF NOT EXISTS idx_oauth_token_scopes_scope ON oauth_token_scopes (scope_id)`,
  `CREATE TABLE IF NOT EXISTS oidc_jwks_keys (
    kid TEXT PRIMARY KEY NOT NULL,
    ${json('key_data', 'NOT NULL')},
    -- Wider than Authly's lists: see 2025-01-04T0000-signing-algorithms (OKP/EdDSA; docs/compatibility.md).
    key_type TEXT NOT NULL CHECK (key_type IN ('RSA', 'EC', 'oct', 'OKP')),
    algorithm TEXT NOT NULL CHECK (algorithm IN ('RS256', 'ES256', 'HS256', 'EdDSA')),
    key_use TEXT NOT NULL DEFAULT 'sig' CHECK (key_use IN ('sig', 'enc')),
    ${bool('is_active', 'DEFAULT 1')},
    created_at TEXT ${NOW},
    expires_at TEXT,
    key_size INTEGER,
    curve TEXT
  )`,
  `CREATE INDEX IF NOT EXISTS idx_oidc_jwks_kid ON oidc_jwks_keys (kid)`,
  `CREATE INDEX IF NOT EXISTS idx_oidc_jwks_active ON oidc_jwks_keys (is_active)`,
  `CREATE INDEX IF NOT EXISTS idx_oidc_jwks_expires ON oidc_jwks_keys (expires_at)`,
  `CREATE INDEX IF NOT EXISTS idx_oidc_jwks_algorithm ON oidc_jwks_keys (algorithm)`,
];

/**
 * `updated_at` maintenance. SQLite triggers cannot assign NEW, so an AFTER UPDATE
 * trigger rewrites the row. It fires only when the statement left `updated_at` alone, so an
 * explicit value from the application (Authly's API sets `updated_at` itself) wins, and
 * not when the stamp already equals now (`'now'` is fixed for one statement), so even with
 * `recursive_triggers` on, the inner UPDATE cannot re-trigger itself.
 */
function updatedAtTrigger(table: string): string {
  return `CREATE TRIGGER IF NOT EXISTS update_${table}_updated_at
    AFTER UPDATE ON ${table} FOR EACH ROW
    WHEN NEW.updated_at IS OLD.updated_at AND NEW.updated_at IS NOT ${SQLITE_NOW}
    BEGIN
      UPDATE ${table} SET updated_at = ${SQLITE_NOW} WHERE id = NEW.id;
    END`;
}

/** The SQLite baseline DDL, one statement per entry (better-sqlite3 prepares one at a time). */
export const SQLITE_BASELINE_DDL: readonly string[] = [
  ...USERS,
  ...OAUTH_CLIENTS,
  ...TOKENS,
  ...SCOPES,
  ...AUTHORIZATION_CODES,
  ...TOKEN_SCOPES_AND_KEYS,
  ...['users', 'oauth_clients', 'oauth_scopes'].map(updatedAtTrigger),
];
