import { isIP } from 'node:net';
import { z } from 'zod';
import { isMasterKeyText, MASTER_KEY_FORMAT } from '../crypto/master-key.js';
import { parseHost } from '../protocol/host.js';
import { emptyToNull, toBoolean, toLogLevel, toNumber, toUpper } from './coerce.js';
import { parseRedisUrl, RedisUrlError } from './redis-url.js';

/*
 * The one configuration schema. Every key has a default, so an empty file (or none) is a
 * complete, working configuration: embedded SQLite at ./data/authly.db on port 8000.
 * Objects are strict: an unknown key is a problem, not silently ignored (a typo must not
 * fall back to a default unnoticed).
 */

function int(min: number, max = Number.MAX_SAFE_INTEGER) {
  return z.preprocess(toNumber, z.number().int().min(min).max(max));
}
function bool() {
  return z.preprocess(toBoolean, z.boolean());
}
function nullableString() {
  return z.preprocess(emptyToNull, z.string().min(1).nullable());
}
function urlWithScheme(schemes: readonly string[]) {
  const expected = `a ${schemes.map((s) => `${s}://`).join(' or ')} URL`;
  return z.preprocess(
    emptyToNull,
    z
      .string()
      .refine((v) => schemes.some((s) => v.startsWith(`${s}://`)) && URL.canParse(v), expected)
      .nullable(),
  );
}
/** `redis.url`: one server, a cluster or a sentinel-managed master (see redis-url.ts). */
function redisUrl() {
  return z.preprocess(
    emptyToNull,
    z
      .string()
      .superRefine((value, ctx) => {
        try {
          parseRedisUrl(value);
        } catch (error) {
          const reason = error instanceof RedisUrlError ? ` (${error.message})` : '';
          ctx.addIssue({ code: 'custom', message: `a redis://, rediss://, redis-cluster:// or redis-sentinel:// URL${reason}` });
        }
      })
      .nullable(),
  );
}
/** Lists come from YAML as arrays and from the environment as `a, b, c`. */
function toList(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  return value.split(',').map((item) => item.trim()).filter((item) => item !== '');
}
function stringList() {
  return z.preprocess(toList, z.array(z.string().min(1)));
}
/** An IPv4/IPv6 address or a CIDR block (`10.0.0.0/8`, `fd00::/8`). */
function isAddressOrNetwork(value: string): boolean {
  const [address = '', prefix, ...rest] = value.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  const bits = Number(prefix);
  return /^\d+$/.test(prefix) && bits <= (family === 4 ? 32 : 128);
}
function networkList() {
  return z.preprocess(toList, z.array(z.string().refine(isAddressOrNetwork, 'an IP address or CIDR block')));
}
function upperEnum<const T extends readonly [string, ...string[]]>(values: T) {
  return z.preprocess(toUpper, z.enum(values));
}

const server = z.strictObject({
  host: z.string().min(1).default('0.0.0.0').describe('Interface to listen on.'),
  port: int(0, 65535).default(8000).describe('TCP port; 0 picks a free one.'),
  issuer: z
    .preprocess(emptyToNull, z.string().refine(isHttpUrl, 'an absolute http(s) URL').nullable())
    .default(null)
    .describe('Issuer URL (`iss`); null derives it from each request.'),
  // Forwarded client addresses are believed only from these peers.
  trusted_proxies: networkList()
    .default([])
    .describe('Proxy addresses/CIDRs whose X-Forwarded-For / X-Real-IP / X-Forwarded-Proto are believed (admin localhost check, rate limits, https).'),
  allowed_hosts: z
    .preprocess(toList, z.array(z.string().refine((v) => parseHost(v) !== null, 'a host or host:port name')))
    .default([])
    .describe('Host header values (host or host:port) the issuer may be derived from besides loopback ones, while issuer is null.'),
  shutdown_grace_seconds: int(0, 3600)
    .default(10)
    .describe('On SIGTERM/SIGINT, how long running requests may take to finish before their connections are closed.'),
});

const pragmas = z.strictObject({
  journal_mode: upperEnum(['WAL', 'DELETE', 'TRUNCATE', 'PERSIST', 'MEMORY', 'OFF'])
    .default('WAL')
    .describe('PRAGMA journal_mode; WAL lets readers run during a write.'),
  synchronous: upperEnum(['OFF', 'NORMAL', 'FULL', 'EXTRA'])
    .default('NORMAL')
    .describe('PRAGMA synchronous; NORMAL is durable enough under WAL.'),
  cache_size: z
    .preprocess(toNumber, z.number().int())
    .default(-64000)
    .describe('PRAGMA cache_size; negative = KiB (-64000 ≈ 64 MB), positive = pages.'),
  temp_store: upperEnum(['DEFAULT', 'FILE', 'MEMORY']).default('MEMORY').describe('PRAGMA temp_store.'),
  busy_timeout: int(0).default(5000).describe('PRAGMA busy_timeout in ms: how long a writer waits for the lock.'),
  foreign_keys: bool().default(true).describe('PRAGMA foreign_keys; keep on, the schema relies on it.'),
});

const sqlite = z.strictObject({
  path: z.string().min(1).default('./data/authly.db').describe('Database file; its folder is created.'),
  statement_cache_size: int(0)
    .default(500)
    .describe('Prepared statements kept per connection (keyed by SQL text); 0 disables.'),
  pragmas: pragmas.prefault({}).describe('PRAGMAs applied when the database opens.'),
});

const postgresql = z.strictObject({
  url: urlWithScheme(['postgresql', 'postgres'])
    .default(null)
    .describe('Connection URL; when set it wins over the fields below.'),
  host: z.string().min(1).default('localhost').describe('Server host.'),
  port: int(1, 65535).default(5432).describe('Server port.'),
  database: z.string().min(1).default('authly').describe('Database name.'),
  user: z.string().min(1).default('authly').describe('Role to connect as.'),
  password: nullableString().default(null).describe('Password; null for trust/peer auth.'),
  pool_size: int(1).default(10).describe('Maximum pooled connections.'),
});

const database = z.strictObject({
  backend: z
    .enum(['sqlite', 'memory', 'postgresql'])
    .default('sqlite')
    .describe('sqlite (one file), memory (SQLite :memory:, lost on exit) or postgresql.'),
  migrate_on_start: bool().default(true).describe('Apply pending migrations when the server starts.'),
  prune_interval_seconds: int(0)
    .default(3600)
    .describe('How often the server deletes expired tokens, codes and retired keys (one instance at a time); 0 disables.'),
  sqlite: sqlite.prefault({}).describe('Used by the sqlite and memory backends (memory ignores path).'),
  postgresql: postgresql.prefault({}).describe('Used by the postgresql backend.'),
});

const cache = z.strictObject({
  backend: z
    .enum(['auto', 'none', 'memory', 'redis', 'tiered'])
    .default('auto')
    .describe(
      'auto (tiered with redis.url, else memory on SQLite and none on PostgreSQL), none, memory (in-process LRU), redis, or tiered (memory over redis); redis/tiered need redis.url.',
    ),
  ttl: int(1).default(300).describe('Seconds an entry lives.'),
  max_size: int(1).default(10000).describe('Entries kept by the in-process cache.'),
  eviction: z.enum(['lru']).default('lru').describe('Eviction policy; only lru is supported.'),
  warm_up: bool().default(true).describe('Load clients, scopes and keys into the cache at start.'),
});

const redis = z.strictObject({
  url: redisUrl()
    .default(null)
    .describe('redis://, rediss://, redis-cluster://host:port,… or redis-sentinel://host:port,…/master; required by cache.backend redis/tiered.'),
  key_prefix: z.string().default('authly:').describe('Prefix of every key this server writes.'),
});

const tokens = z.strictObject({
  access_token_expire_minutes: int(1).default(60).describe('Access-token lifetime (`expires_in`).'),
  refresh_token_expire_days: int(1).default(7).describe('Refresh-token lifetime.'),
  id_token_expire_minutes: int(1).default(15).describe('ID-token lifetime (Authly: 15 minutes).'),
  session_expire_minutes: int(1)
    .default(720)
    .describe('Browser login session (cookie) lifetime: a second authorization within it needs only consent.'),
  authorization_code_expire_seconds: int(1, 600)
    .default(600)
    .describe('Authorization-code lifetime; RFC 6749 §4.1.2 recommends at most 10 minutes.'),
  algorithm: z
    .enum(['ES256', 'RS256', 'EdDSA', 'HS256'])
    .default('ES256')
    .describe('Access/refresh-token signing algorithm; HS256 uses jwt_secret_key (Authly compatibility).'),
  jwt_secret_key: nullableString().default(null).describe("HS256 secret for access tokens (Authly's JWT_SECRET_KEY)."),
  jwt_refresh_secret_key: nullableString()
    .default(null)
    .describe("HS256 secret for refresh tokens (Authly's JWT_REFRESH_SECRET_KEY)."),
  audience: nullableString().default(null).describe('`aud` of access tokens (RFC 9068); null uses the issuer.'),
  introspection_requires_client_auth: bool()
    .default(true)
    .describe('Introspection needs an authenticated confidential client (RFC 7662 §2.1); false reopens it to anyone, as Authly did.'),
});

/* Pushed authorization requests, private_key_jwt and DPoP (RFC 9126, RFC 7523, RFC 9449). */
const oauth = z.strictObject({
  require_pushed_authorization_requests: bool()
    .default(false)
    .describe('Every authorization request must be pushed to {P}/oauth/par first (RFC 9126 §5), whatever the client says.'),
  pushed_request_expire_seconds: int(5, 600).default(60).describe('How long a request_uri from {P}/oauth/par stays usable (`expires_in`).'),
  allow_private_jwks_uri: bool()
    .default(false)
    .describe('Let client jwks_uri fetches reach loopback and private addresses (local deployments and tests only).'),
  jwks_uri_cache_seconds: int(0, 86_400).default(300).describe('How long a fetched client JWK Set is reused (an unknown kid refetches sooner).'),
  client_assertion_max_lifetime_seconds: int(10, 3600)
    .default(300)
    .describe('Longest exp - iat (or exp - now) a private_key_jwt client assertion may have (RFC 7523 §3).'),
  dpop_require_nonce: bool()
    .default(false)
    .describe('DPoP proofs at the token and PAR endpoints must carry a server nonce (RFC 9449 §8); the first gets use_dpop_nonce.'),
  dpop_proof_max_age_seconds: int(5, 600).default(60).describe('How far a DPoP proof\'s iat may lie from now, either way (RFC 9449 §11.1).'),
  dpop_signing_alg_values: z
    .preprocess(toList, z.array(z.enum(['ES256', 'ES384', 'ES512', 'RS256', 'PS256', 'EdDSA'])))
    .default([])
    .describe('JWS algorithms accepted for DPoP proofs (dpop_signing_alg_values_supported); empty: ES256, RS256, PS256, EdDSA.'),
});

const keys = z.strictObject({
  algorithm: z
    .enum(['ES256', 'RS256', 'EdDSA'])
    .default('ES256')
    .describe('Algorithm of generated signing keys (first start and `authly keys rotate`).'),
  rotation_delay_seconds: int(0)
    .default(3600)
    .describe('How long a rotated-in key is published in JWKS before it signs (clients refresh JWKS caches).'),
  signing_thread: z
    .enum(['auto', 'on', 'off'])
    .default('auto')
    .describe('Sign tokens on a worker thread, off the event loop; auto: when the machine has more than one CPU.'),
});

const secrets = z.strictObject({
  // Checked here, with every other key, not first when the key is needed (after migrations).
  master_key: z
    .preprocess(emptyToNull, z.string().refine(isMasterKeyText, MASTER_KEY_FORMAT).nullable())
    .default(null)
    .describe('Base64url 32-byte key that encrypts private keys and keys client-secret hashes; null uses master_key_file.'),
  master_key_file: nullableString()
    .default(null)
    .describe('File holding the master key, created (mode 0600) when missing; null: authly.key beside the SQLite file, or ./data/authly.key.'),
});

const admin = z.strictObject({
  username: z.string().min(1).default('admin').describe('Bootstrap admin user name.'),
  email: z.string().min(1).default('admin@localhost').describe('Bootstrap admin e-mail.'),
  password: nullableString().default(null).describe('Bootstrap admin password; null generates one.'),
  // Authly's AUTHLY_BOOTSTRAP_ENABLED / AUTHLY_BOOTSTRAP_DEV_MODE.
  bootstrap: bool().default(true).describe('Create the admin scopes and the admin user at start-up.'),
  dev_mode: bool()
    .default(false)
    .describe('A configured admin password does not have to be changed at first login (development only).'),
});

/* The admin API's network filter. */
const adminApi = z.strictObject({
  enabled: bool().default(true).describe('Serve /admin/*; false answers 503 ADMIN_API_DISABLED.'),
  localhost_only: bool().default(true).describe('Only loopback clients (and allowed_networks) may call /admin/*.'),
  allowed_networks: networkList()
    .default([])
    .describe('Extra addresses/CIDRs allowed when localhost_only is set (e.g. a Docker gateway).'),
});

/* Brute-force protection; lenient defaults keep Authly's suite green. */
const rateLimit = z.strictObject({
  enabled: bool().default(true).describe('Apply the request limits below.'),
  window_seconds: int(1).default(60).describe('Length of the fixed counting window.'),
  login_per_ip: int(1).default(100).describe('Password logins (token password grant + login form) per client address per window.'),
  login_per_username: int(1).default(30).describe('Password logins per username per window.'),
  registration_per_ip: int(1).default(20).describe('Self-registrations (POST /api/v1/users/) per client address per window.'),
  pushed_requests_per_ip: int(1)
    .default(60)
    .describe('Pushed authorization requests (POST /api/v1/oauth/par) per client address per window; public clients push without a secret.'),
  client_auth_failures_per_client: int(1)
    .default(20)
    .describe('Failed client authentications (token, revocation, introspection) per client_id per window.'),
  client_auth_failures_per_ip: int(1).default(20).describe('Failed client authentications per client address per window.'),
  device_code_entry_per_ip: int(1)
    .default(10)
    .describe('Wrong user codes entered on the device verification page per client address per window (RFC 8628 §5.1).'),
  client_registration_per_ip: int(1)
    .default(10)
    .describe('Dynamic client registrations (POST /api/v1/oauth/register) per client address per window under the open policy.'),
});

/* Device Authorization Grant (RFC 8628). */
const deviceAuthorization = z.strictObject({
  expires_in_seconds: int(1, 3600).default(600).describe('Lifetime of a device code and its user code.'),
  interval_seconds: int(1, 60).default(5).describe('Minimum seconds between token requests per device code (RFC 8628 §3.5).'),
});

/* Dynamic Client Registration (RFC 7591, RFC 7592). */
const registration = z.strictObject({
  policy: z
    .enum(['closed', 'open', 'token'])
    .default('closed')
    .describe('POST /api/v1/oauth/register: closed (403, not advertised), open (anyone, rate-limited) or token (an initial access token).'),
  token_expire_seconds: int(60)
    .default(86_400)
    .describe('Default lifetime of initial access tokens minted by POST /admin/registration-tokens.'),
});

/* OpenID Connect Back-Channel Logout 1.0. */
const backchannelLogout = z.strictObject({
  enabled: bool().default(true).describe('Deliver logout tokens to clients that registered a backchannel_logout_uri.'),
  allow_private_targets: bool()
    .default(false)
    .describe('Let logout notices reach loopback, private and link-local addresses (local deployments and tests only).'),
  timeout_ms: int(100, 60_000).default(5000).describe('Time limit of one delivery attempt.'),
  max_attempts: int(1, 100).default(8).describe('Delivery attempts per notice before it is dropped (logged).'),
  retry_base_seconds: int(1, 3600).default(5).describe('Delay before the first retry; doubles with each failed attempt (at most one hour).'),
  poll_interval_ms: int(50, 60_000).default(1000).describe('How often the outbox is checked for due notices.'),
});

/* Account lockout after repeated failures. */
const lockout = z.strictObject({
  enabled: bool().default(true).describe('Lock a username after max_attempts consecutive failed logins.'),
  max_attempts: int(1).default(5).describe('Failed logins before the lock.'),
  duration_seconds: int(1).default(300).describe('How long the lock lasts (also the failure-counting window).'),
});

/* CORS is off by default, as in Authly. */
const cors = z.strictObject({
  enabled: bool().default(false).describe('Answer CORS preflights and add Access-Control-* headers.'),
  origins: stringList().default([]).describe('Allowed origins (exact, e.g. https://app.example.com); `*` allows any.'),
  credentials: bool().default(false).describe('Send Access-Control-Allow-Credentials: true.'),
  max_age_seconds: int(0).default(600).describe('How long browsers may cache a preflight answer.'),
});

const logging = z.strictObject({
  level: z
    .preprocess(toLogLevel, z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']))
    .default('info')
    .describe('Log level (case-insensitive; WARNING/CRITICAL accepted).'),
  json: z
    .preprocess(emptyToNull, z.preprocess(toBoolean, z.boolean()).nullable())
    .default(null)
    .describe('true: JSON lines; false: readable "time LEVEL msg key=value" lines; null: readable on a terminal, JSON otherwise.'),
});

const audit = z.strictObject({
  sink: z
    .enum(['log', 'database'])
    .default('log')
    .describe('log (security events as log lines) or database (log lines and rows of audit_events).'),
  retention_days: int(0)
    .default(90)
    .describe('Days audit_events rows are kept (deleted by the pruner); 0 keeps them forever.'),
});

/** The configuration schema: YAML file shape, defaults and a description for every key. */
export const configSchema = z
  .strictObject({
    server: server.prefault({}),
    database: database.prefault({}),
    cache: cache.prefault({}),
    redis: redis.prefault({}),
    tokens: tokens.prefault({}),
    oauth: oauth.prefault({}),
    keys: keys.prefault({}),
    secrets: secrets.prefault({}),
    admin: admin.prefault({}),
    admin_api: adminApi.prefault({}),
    rate_limit: rateLimit.prefault({}),
    lockout: lockout.prefault({}),
    cors: cors.prefault({}),
    device_authorization: deviceAuthorization.prefault({}),
    registration: registration.prefault({}),
    backchannel_logout: backchannelLogout.prefault({}),
    logging: logging.prefault({}),
    audit: audit.prefault({}),
  })
  .superRefine(requireRedisForRedisCache, { when: () => true })
  .superRefine(requireSecretsForHs256, { when: () => true });

function requireSecretsForHs256(
  value: { tokens?: { algorithm?: unknown; jwt_secret_key?: unknown; jwt_refresh_secret_key?: unknown } },
  ctx: z.RefinementCtx,
): void {
  if (value.tokens?.algorithm !== 'HS256') return;
  for (const key of ['jwt_secret_key', 'jwt_refresh_secret_key'] as const) {
    const secret = value.tokens[key];
    // RFC 7518 §3.2: an HS256 key must be at least as long as the hash output (256 bits).
    if (typeof secret !== 'string' || Buffer.byteLength(secret) < 32) {
      ctx.addIssue({ code: 'custom', path: ['tokens', key], message: 'a secret of at least 32 bytes (tokens.algorithm is HS256)', input: secret ?? null });
    }
  }
}

function requireRedisForRedisCache(
  value: { cache?: { backend?: unknown }; redis?: { url?: unknown } },
  ctx: z.RefinementCtx,
): void {
  const backend = value.cache?.backend;
  if ((backend === 'redis' || backend === 'tiered') && !value.redis?.url) {
    ctx.addIssue({
      code: 'custom',
      path: ['redis', 'url'],
      message: `a redis:// URL (cache.backend is ${backend})`,
      input: value.redis?.url ?? null,
    });
  }
}

function isHttpUrl(value: string): boolean {
  return URL.canParse(value) && /^https?:$/.test(new URL(value).protocol);
}

/** Makes every nested property readonly: the loaded configuration is deep-frozen. */
export type DeepReadonly<T> = T extends object ? { readonly [K in keyof T]: DeepReadonly<T[K]> } : T;

/** The validated configuration, keys as in the YAML file (snake_case). */
export type Config = DeepReadonly<z.output<typeof configSchema>>;

/** The logging section, as `createLogger` takes it. */
export type LoggingConfig = Config['logging'];
