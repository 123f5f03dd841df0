/** The environment as loadConfig reads it (`process.env` in production, a plain object in tests). */
export type Environment = Readonly<Record<string, string | undefined>>;

/** One value to place into the raw configuration, with where it came from. */
export interface Assignment {
  path: readonly string[];
  value: unknown;
  source: string;
}

/**
 * Authly's own variables keep their meaning, so existing deployments and compose files
 * work unchanged. Empty values are ignored, as compose files often declare `VAR=` placeholders.
 */
const AUTHLY_VARIABLES: Readonly<Record<string, readonly string[]>> = {
  HOST: ['server', 'host'],
  PORT: ['server', 'port'],
  AUTHLY_ADMIN_USERNAME: ['admin', 'username'],
  AUTHLY_ADMIN_EMAIL: ['admin', 'email'],
  AUTHLY_ADMIN_PASSWORD: ['admin', 'password'],
  // Authly's bootstrap, admin-API and lockout variables.
  AUTHLY_BOOTSTRAP_ENABLED: ['admin', 'bootstrap'],
  AUTHLY_BOOTSTRAP_DEV_MODE: ['admin', 'dev_mode'],
  AUTHLY_ADMIN_API_ENABLED: ['admin_api', 'enabled'],
  AUTHLY_ADMIN_API_LOCALHOST_ONLY: ['admin_api', 'localhost_only'],
  AUTHLY_LOCKOUT_MAX_ATTEMPTS: ['lockout', 'max_attempts'],
  AUTHLY_LOCKOUT_DURATION_SECONDS: ['lockout', 'duration_seconds'],
  ACCESS_TOKEN_EXPIRE_MINUTES: ['tokens', 'access_token_expire_minutes'],
  REFRESH_TOKEN_EXPIRE_DAYS: ['tokens', 'refresh_token_expire_days'],
  JWT_ALGORITHM: ['tokens', 'algorithm'],
  JWT_SECRET_KEY: ['tokens', 'jwt_secret_key'],
  JWT_REFRESH_SECRET_KEY: ['tokens', 'jwt_refresh_secret_key'],
  DEFAULT_ISSUER_URL: ['server', 'issuer'],
  AUTHLY_REDIS_URL: ['redis', 'url'],
  LOG_LEVEL: ['logging', 'level'],
  LOG_JSON: ['logging', 'json'],
};

const GENERIC_PREFIX = 'AUTHLY_';
const NESTING = '__';

/**
 * Turns the environment into assignments: first Authly's variables, then the generic
 * `AUTHLY_<SECTION>__<KEY>[__<SUBKEY>]` overrides, which are more specific and so win.
 */
export function environmentAssignments(env: Environment): Assignment[] {
  return [...authlyAssignments(env), ...genericAssignments(env)];
}

function authlyAssignments(env: Environment): Assignment[] {
  const out: Assignment[] = [];
  const databaseUrl = env.DATABASE_URL;
  if (databaseUrl) {
    // DATABASE_URL is Authly's PostgreSQL connection; setting it selects that backend.
    out.push({ path: ['database', 'backend'], value: 'postgresql', source: 'DATABASE_URL' });
    out.push({ path: ['database', 'postgresql', 'url'], value: databaseUrl, source: 'DATABASE_URL' });
  }
  for (const [name, path] of Object.entries(AUTHLY_VARIABLES)) {
    const value = env[name];
    if (value) out.push({ path, value, source: name });
  }
  return out;
}

function genericAssignments(env: Environment): Assignment[] {
  const out: Assignment[] = [];
  for (const name of Object.keys(env).sort()) {
    const value = env[name];
    if (!name.startsWith(GENERIC_PREFIX) || !name.includes(NESTING) || value === undefined) continue;
    const path = name.slice(GENERIC_PREFIX.length).toLowerCase().split(NESTING);
    if (path.some((segment) => segment === '')) continue;
    out.push({ path, value, source: name });
  }
  return out;
}

/** The config file named by the environment (`AUTHLY_CONFIG`), if any. */
export function configFileFromEnvironment(env: Environment): string | undefined {
  return env.AUTHLY_CONFIG || undefined;
}

/** The real process environment. Only `config/` touches `process.env`. */
export function processEnvironment(): Environment {
  return process.env;
}

/**
 * Whether debug output was asked for, readable even when the configuration itself is invalid
 * (the CLI prints stack traces only then).
 */
export function debugRequested(env: Environment = process.env): boolean {
  const level = (env.AUTHLY_LOGGING__LEVEL ?? env.LOG_LEVEL ?? '').trim().toLowerCase();
  return level === 'debug' || level === 'trace';
}
