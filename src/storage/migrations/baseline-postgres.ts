/*
 * Authly's PostgreSQL schema, written so that it can run against a database Authly's own
 * `docker-postgres/init-db-and-user.sql` already created and leave it exactly as it was
 * (an existing Authly database is adopted, not rebuilt):
 *   - tables and indexes use IF NOT EXISTS, so existing ones (and their rows) are kept;
 *   - the trigger function is CREATE OR REPLACE with upstream's body, so replacing it is a no-op;
 *   - triggers are created only when pg_trigger lacks them: upstream's plain CREATE TRIGGER is
 *     not idempotent, and dropping and recreating would rewrite another tool's
 *     objects for no gain.
 * Constraints are written inline, as upstream does, so PostgreSQL gives them the same generated
 * names (`users_username_key`, `oauth_clients_client_type_check`, …) on a fresh database as on
 * an adopted one.
 *
 * Deliberately omitted from Authly's init script:
 *   - the DO block creating role `authly` and granting it privileges: roles and grants are the
 *     operator's business, and the block reads a password setting we have no say over;
 *   - `CREATE EXTENSION IF NOT EXISTS "uuid-ossp"`: nothing uses it (UUID defaults call the
 *     built-in `gen_random_uuid()`, PostgreSQL 13+), and creating an extension needs privileges
 *     the application role usually lacks, so it could only make the migration fail.
 *
 * Like any DDL on existing tables, adoption must run as the tables' owner (PostgreSQL checks
 * ownership for CREATE INDEX even when the index exists).
 */

/** `users`. */
const USERS = [
  `CREATE TABLE IF NOT EXISTS users (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    username VARCHAR(50) UNIQUE NOT NULL,
    email VARCHAR(255) UNIQUE NOT NULL,
    password_hash VARCHAR(255) NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP,
    last_login TIMESTAMP WITH TIME ZONE,
    is_active BOOLEAN DEFAULT true,
    is_verified BOOLEAN DEFAULT false,
    is_admin BOOLEAN DEFAULT false,
    requires_password_change BOOLEAN DEFAULT false,
    given_name VARCHAR(255),
    family_name VARCHAR(255),
    middle_name VARCHAR(255),
    nickname VARCHAR(255),
    preferred_username VARCHAR(255),
    profile TEXT,
    picture TEXT,
    website TEXT,
    gender VARCHAR(50),
    birthdate DATE,
    zoneinfo VARCHAR(100),
    locale VARCHAR(10),
    phone_number VARCHAR(50),
    phone_number_verified BOOLEAN,
    address JSONB
  )`,
  `CREATE INDEX IF NOT EXISTS idx_users_username ON users (username)`,
  `CREATE INDEX IF NOT EXISTS idx_users_email ON users (email)`,
  `CREATE INDEX IF NOT EXISTS idx_users_requires_password_change ON users (requires_password_change)
    WHERE requires_password_change = TRUE`,
  `CREATE INDEX IF NOT EXISTS idx_users_given_name ON users (given_name) WHERE given_name IS NOT NULL`,
  `CREATE INDEX IF NOT EXISTS idx_users_family_name ON users (family_name) WHERE family_name IS NOT NULL`,
  `CREATE INDEX IF NOT EXISTS idx_users_preferred_username ON users (preferred_username)
    WHERE preferred_username IS NOT NULL`,
  `CREATE INDEX IF NOT EXISTS idx_users_phone_verified ON users (phone_number_verified)
    WHERE phone_number_verified IS NOT NULL`,
  `CREATE INDEX IF NOT EXISTS idx_users_locale ON users (locale) WHERE locale IS NOT NULL`,
  `CREATE INDEX IF NOT EXISTS idx_users_zoneinfo ON users (zoneinfo) WHERE zoneinfo IS NOT NULL`,
  `CREATE INDEX IF NOT EXISTS idx_users_address_gin ON users USING GIN (address) WHERE address IS NOT NULL`,
  `CREATE INDEX IF NOT EXISTS idx_users_admin_composite ON users (created_at DESC, is_active, is_admin, is_verified)`,
  // The admin user search: one English tsvector over the four searchable fields.
  `CREATE INDEX IF NOT EXISTS idx_users_admin_text_search ON users USING GIN (to_tsvector('english',
    COALESCE(username, '') || ' ' || COALESCE(email, '') || ' ' ||
    COALESCE(given_name, '') || ' ' || COALESCE(family_name, '')))`,
  `CREATE INDEX IF NOT EXISTS idx_users_admin_dates ON users (created_at, last_login)`,
];

/** `oauth_clients`. */
const OAUTH_CLIENTS = [
  `CREATE TABLE IF NOT EXISTS oauth_clients (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    client_id VARCHAR(255) UNIQUE NOT NULL,
    client_secret_hash VARCHAR(255),
    client_name VARCHAR(255) NOT NULL,
    client_type VARCHAR(20) NOT NULL CHECK (client_type IN ('confidential', 'public')),
    redirect_uris TEXT[] NOT NULL,
    grant_types TEXT[] NOT NULL DEFAULT ARRAY['authorization_code', 'refresh_token'],
    response_types TEXT[] NOT NULL DEFAULT ARRAY['code'],
    scope TEXT,
    is_active BOOLEAN DEFAULT true,
    created_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP,
    require_pkce BOOLEAN DEFAULT true,
    token_endpoint_auth_method VARCHAR(50) DEFAULT 'client_secret_basic',
    client_uri TEXT,
    logo_uri TEXT,
    tos_uri TEXT,
    policy_uri TEXT,
    jwks_uri TEXT,
    software_id VARCHAR(255),
    software_version VARCHAR(50),
    id_token_signed_response_alg VARCHAR(10) DEFAULT 'RS256'
      CHECK (id_token_signed_response_alg IN ('RS256', 'HS256', 'ES256')),
    subject_type VARCHAR(10) DEFAULT 'public' CHECK (subject_type IN ('public', 'pairwise')),
    sector_identifier_uri TEXT,
    require_auth_time BOOLEAN DEFAULT false,
    default_max_age INTEGER CHECK (default_max_age >= 0),
    initiate_login_uri TEXT,
    request_uris TEXT[] DEFAULT ARRAY[]::TEXT[],
    application_type VARCHAR(10) DEFAULT 'web' CHECK (application_type IN ('web', 'native')),
    contacts TEXT[] DEFAULT ARRAY[]::TEXT[],
    client_name_localized JSONB,
    logo_uri_localized JSONB,
    client_uri_localized JSONB,
    policy_uri_localized JSONB,
    tos_uri_localized JSONB
  )`,
  `CREATE INDEX IF NOT EXISTS idx_oauth_clients_client_id ON oauth_clients (client_id)`,
  `CREATE INDEX IF NOT EXISTS idx_oauth_clients_active ON oauth_clients (is_active)`,
];

/** `tokens`: access and refresh tokens, also the admin API's "sessions". */
const TOKENS = [
  `CREATE TABLE IF NOT EXISTS tokens (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    client_id UUID REFERENCES oauth_clients (id) ON DELETE SET NULL,
    token_jti VARCHAR(64) NOT NULL UNIQUE,
    token_type VARCHAR(10) NOT NULL CHECK (token_type IN ('access', 'refresh')),
    token_value TEXT NOT NULL,
    scope TEXT,
    invalidated BOOLEAN NOT NULL DEFAULT false,
    invalidated_at TIMESTAMP WITH TIME ZONE,
    expires_at TIMESTAMP WITH TIME ZONE NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT CURRENT_TIMESTAMP,
    created_by_ip VARCHAR(45),
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
    WHERE token_type = 'access' AND invalidated = false`,
];

/** `oauth_scopes` and `oauth_client_scopes`. */
const SCOPES = [
  `CREATE TABLE IF NOT EXISTS oauth_scopes (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    scope_name VARCHAR(255) UNIQUE NOT NULL,
    description TEXT,
    is_default BOOLEAN DEFAULT false,
    is_active BOOLEAN DEFAULT true,
    created_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP
  )`,
  `CREATE INDEX IF NOT EXISTS idx_oauth_scopes_name ON oauth_scopes (scope_name)`,
  `CREATE INDEX IF NOT EXISTS idx_oauth_scopes_active ON oauth_scopes (is_active)`,
  `CREATE INDEX IF NOT EXISTS idx_oauth_scopes_default ON oauth_scopes (is_default)`,
  `CREATE TABLE IF NOT EXISTS oauth_client_scopes (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    client_id UUID NOT NULL REFERENCES oauth_clients (id) ON DELETE CASCADE,
    scope_id UUID NOT NULL REFERENCES oauth_scopes (id) ON DELETE CASCADE,
    created_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP,
    UNIQUE (client_id, scope_id)
  )`,
  `CREATE INDEX IF NOT EXISTS idx_oauth_client_scopes_client ON oauth_client_scopes (client_id)`,
  `CREATE INDEX IF NOT EXISTS idx_oauth_client_scopes_scope ON oauth_client_scopes (scope_id)`,
];

/** `oauth_authorization_codes`. */
const AUTHORIZATION_CODES = [
  `CREATE TABLE IF NOT EXISTS oauth_authorization_codes (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    code VARCHAR(255) UNIQUE NOT NULL,
    client_id UUID NOT NULL REFERENCES oauth_clients (id) ON DELETE CASCADE,
    user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    redirect_uri TEXT NOT NULL,
    scope TEXT,
    expires_at TIMESTAMP WITH TIME ZONE NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP,
    used_at TIMESTAMP WITH TIME ZONE,
    is_used BOOLEAN DEFAULT false,
    code_challenge VARCHAR(255) NOT NULL,
    code_challenge_method VARCHAR(10) NOT NULL DEFAULT 'S256' CHECK (code_challenge_method IN ('S256')),
    nonce VARCHAR(255),
    state VARCHAR(255),
    response_mode VARCHAR(20) CHECK (response_mode IN ('query', 'fragment', 'form_post')),
    display VARCHAR(20) CHECK (display IN ('page', 'popup', 'touch', 'wap')),
    prompt VARCHAR(20) CHECK (prompt IN ('none', 'login', 'consent', 'select_account')),
    max_age INTEGER CHECK (max_age >= 0),
    ui_locales VARCHAR(255),
    id_token_hint TEXT,
    login_hint VARCHAR(255),
    acr_values VARCHAR(255)
  )`,
  `CREATE INDEX IF NOT EXISTS idx_oauth_authz_codes_code ON oauth_authorization_codes (code)`,
  `CREATE INDEX IF NOT EXISTS idx_oauth_authz_codes_client ON oauth_authorization_codes (client_id)`,
  `CREATE INDEX IF NOT EXISTS idx_oauth_authz_codes_user ON oauth_authorization_codes (user_id)`,
  `CREATE INDEX IF NOT EXISTS idx_oauth_authz_codes_expires ON oauth_authorization_codes (expires_at)`,
  `CREATE INDEX IF NOT EXISTS idx_oauth_authz_codes_used ON oauth_authorization_codes (is_used)`,
];

/** `oauth_token_scopes` and `oidc_jwks_keys`; both unused by Authly at runtime. */
const TOKEN_SCOPES_AND_KEYS = [
  `CREATE TABLE IF NOT EXISTS oauth_token_scopes (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    token_id UUID NOT NULL REFERENCES tokens (id) ON DELETE CASCADE,
    scope_id UUID NOT NULL REFERENCES oauth_scopes (id) ON DELETE CASCADE,
    created_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP,
    UNIQUE (token_id, scope_id)
  )`,
  `CREATE INDEX IF NOT EXISTS idx_oauth_token_scopes_token ON oauth_token_scopes (token_id)`,
  `CREATE INDEX IF NOT EXISTS idx_oauth_token_scopes_scope ON oauth_token_scopes (scope_id)`,
  `CREATE TABLE IF NOT EXISTS oidc_jwks_keys (
    kid VARCHAR(255) PRIMARY KEY,
    key_data JSONB NOT NULL,
    key_type VARCHAR(10) NOT NULL CHECK (key_type IN ('RSA', 'EC', 'oct')),
    algorithm VARCHAR(10) NOT NULL CHECK (algorithm IN ('RS256', 'ES256', 'HS256')),
    key_use VARCHAR(10) NOT NULL DEFAULT 'sig' CHECK (key_use IN ('sig', 'enc')),
    is_active BOOLEAN DEFAULT true,
    created_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP,
    expires_at TIMESTAMP WITH TIME ZONE,
    key_size INTEGER,
    curve VARCHAR(20)
  )`,
  `CREATE INDEX IF NOT EXISTS idx_oidc_jwks_kid ON oidc_jwks_keys (kid)`,
  `CREATE INDEX IF NOT EXISTS idx_oidc_jwks_active ON oidc_jwks_keys (is_active)`,
  `CREATE INDEX IF NOT EXISTS idx_oidc_jwks_expires ON oidc_jwks_keys (expires_at)`,
  `CREATE INDEX IF NOT EXISTS idx_oidc_jwks_algorithm ON oidc_jwks_keys (algorithm)`,
];

/** The three tables whose `updated_at` a trigger maintains. */
export const UPDATED_AT_TABLES = ['users', 'oauth_clients', 'oauth_scopes'] as const;

/** Creates `update_<table>_updated_at` unless pg_trigger already has it on that table. */
function updatedAtTrigger(table: (typeof UPDATED_AT_TABLES)[number]): string {
  const name = `update_${table}_updated_at`;
  return `DO $authly$
BEGIN
  IF NOT EXISTS (
    SELECT 1 FROM pg_trigger WHERE tgname = '${name}' AND tgrelid = '${table}'::regclass
  ) THEN
    CREATE TRIGGER ${name} BEFORE UPDATE ON ${table}
      FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
  END IF;
END
$authly$`;
}

/** `update_updated_at_column()` and its triggers, upstream's body verbatim in effect. */
const TRIGGERS = [
  `CREATE OR REPLACE FUNCTION update_updated_at_column()
RETURNS TRIGGER AS $authly$
BEGIN
  NEW.updated_at = CURRENT_TIMESTAMP;
  RETURN NEW;
END;
$authly$ LANGUAGE plpgsql`,
  ...UPDATED_AT_TABLES.map(updatedAtTrigger),
];

/**
 * The PostgreSQL baseline DDL, one statement per entry, in dependency order (referenced tables
 * first). The seed scopes are inserted separately, through Kysely, so values stay parameters.
 */
export const POSTGRES_BASELINE_DDL: readonly string[] = [
  ...USERS,
  ...OAUTH_CLIENTS,
  ...TOKENS,
  ...SCOPES,
  ...AUTHORIZATION_CODES,
  ...TOKEN_SCOPES_AND_KEYS,
  ...TRIGGERS,
];
