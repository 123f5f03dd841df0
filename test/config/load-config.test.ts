import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { writeTempFile } from './temp-file.js';

describe('loadConfig', () => {
  it('returns the documented defaults when there is no file, environment or flag', () => {
    const config = loadConfig({ env: {} });
    expect(config).toEqual({
      server: { host: '0.0.0.0', port: 8000, issuer: null, trusted_proxies: [], allowed_hosts: [], shutdown_grace_seconds: 10 },
      database: {
        backend: 'sqlite',
        migrate_on_start: true,
        prune_interval_seconds: 3600,
        sqlite: {
          path: './data/authly.db',
          statement_cache_size: 500,
          pragmas: {
            journal_mode: 'WAL',
            synchronous: 'NORMAL',
            cache_size: -64000,
            temp_store: 'MEMORY',
            busy_timeout: 5000,
            foreign_keys: true,
          },
        },
        postgresql: {
          url: null,
          host: 'localhost',
          port: 5432,
          database: 'authly',
          user: 'authly',
          password: null,
          pool_size: 10,
        },
      },
      cache: { backend: 'auto', ttl: 300, max_size: 10000, eviction: 'lru', warm_up: true },
      redis: { url: null, key_prefix: 'authly:' },
      tokens: {
        access_token_expire_minutes: 60,
        refresh_token_expire_days: 7,
        id_token_expire_minutes: 15,
        session_expire_minutes: 720,
        authorization_code_expire_seconds: 600,
        algorithm: 'ES256',
        jwt_secret_key: null,
        jwt_refresh_secret_key: null,
        audience: null,
        introspection_requires_client_auth: true,
      },
      keys: { algorithm: 'ES256', rotation_delay_seconds: 3600, signing_thread: 'auto' },
      secrets: { master_key: null, master_key_file: null },
      admin: { username: 'admin', email: 'admin@localhost', password: null, bootstrap: true, dev_mode: false },
      admin_api: { enabled: true, localhost_only: true, allowed_networks: [] },
      rate_limit: {
        enabled: true,
        window_seconds: 60,
        login_per_ip: 100,
        login_per_username: 30,
        registration_per_ip: 20,
        client_auth_failures_per_client: 20,
        client_auth_failures_per_ip: 20,
        pushed_requests_per_ip: 60,
        client_registration_per_ip: 10,
        device_code_entry_per_ip: 10,
      },
      device_authorization: { expires_in_seconds: 600, interval_seconds: 5 },
      registration: { policy: 'closed', token_expire_seconds: 86400 },
      backchannel_logout: { enabled: true, allow_private_targets: false, timeout_ms: 5000, max_attempts: 8, retry_base_seconds: 5, poll_interval_ms: 1000 },
      oauth: {
        allow_private_jwks_uri: false,
        client_assertion_max_lifetime_seconds: 300,
        dpop_proof_max_age_seconds: 60,
        dpop_require_nonce: false,
        dpop_signing_alg_values: [],
        jwks_uri_cache_seconds: 300,
        pushed_request_expire_seconds: 60,
        require_pushed_authorization_requests: false,
      },
      audit: { sink: 'log', retention_days: 90 },
      lockout: { enabled: true, max_attempts: 5, duration_seconds: 300 },
      cors: { enabled: false, origins: [], credentials: false, max_age_seconds: 600 },
      logging: { level: 'info', json: null },
    });
  });

  it('returns a deep-frozen object', () => {
    const config = loadConfig({ env: {} });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.database.sqlite.pragmas)).toBe(true);
  });

  it('lets the file override defaults, the environment override the file, and flags override both', () => {
    const file = writeTempFile(
      'precedence.yaml',
      'server:\n  host: 10.0.0.1\n  port: 9000\ntokens:\n  access_token_expire_minutes: 15\n',
    );
    const env = { AUTHLY_CONFIG: file, AUTHLY_SERVER__PORT: '9100', AUTHLY_SERVER__HOST: '10.0.0.2' };

    expect(loadConfig({ env: { AUTHLY_CONFIG: file } }).server).toMatchObject({ host: '10.0.0.1', port: 9000 });
    expect(loadConfig({ env }).server).toMatchObject({ host: '10.0.0.2', port: 9100 });
    const withFlags = loadConfig({ env, flags: { port: '9200', host: '127.0.0.1' } });
    expect(withFlags.server).toMatchObject({ host: '127.0.0.1', port: 9200 });
    expect(withFlags.tokens.access_token_expire_minutes).toBe(15);
  });

  it('prefers the --config file over AUTHLY_CONFIG', () => {
    const fromEnv = writeTempFile('env.yaml', 'server: { port: 1111 }\n');
    const fromFlag = writeTempFile('flag.yaml', 'server: { port: 2222 }\n');
    expect(loadConfig({ env: { AUTHLY_CONFIG: fromEnv }, flags: { config: fromFlag } }).server.port).toBe(2222);
  });

  it('treats an empty file as all defaults', () => {
    const file = writeTempFile('empty.yaml', '# nothing here\n');
    expect(loadConfig({ env: {}, flags: { config: file } })).toEqual(loadConfig({ env: {} }));
  });

  it('nests AUTHLY_SECTION__KEY__SUBKEY variables and coerces numbers and booleans', () => {
    const config = loadConfig({
      env: {
        AUTHLY_DATABASE__SQLITE__PATH: '/var/lib/authly/authly.db',
        AUTHLY_DATABASE__SQLITE__PRAGMAS__BUSY_TIMEOUT: '250',
        AUTHLY_DATABASE__SQLITE__PRAGMAS__FOREIGN_KEYS: 'false',
        AUTHLY_DATABASE__SQLITE__PRAGMAS__JOURNAL_MODE: 'delete',
        AUTHLY_DATABASE__MIGRATE_ON_START: 'no',
        AUTHLY_CACHE__BACKEND: 'memory',
        AUTHLY_CACHE__TTL: '60',
      },
    });
    expect(config.database.sqlite.path).toBe('/var/lib/authly/authly.db');
    expect(config.database.sqlite.pragmas).toMatchObject({
      busy_timeout: 250,
      foreign_keys: false,
      journal_mode: 'DELETE',
    });
    expect(config.database.migrate_on_start).toBe(false);
    expect(config.cache).toMatchObject({ backend: 'memory', ttl: 60 });
  });

  it('reads an empty AUTHLY_ variable for a nullable key as null', () => {
    const file = writeTempFile('issuer.yaml', 'server:\n  issuer: https://auth.example.com\n');
    const config = loadConfig({ env: { AUTHLY_CONFIG: file, AUTHLY_SERVER__ISSUER: '' } });
    expect(config.server.issuer).toBeNull();
  });

  it('ignores AUTHLY_ variables without a double underscore (they are Authly settings or test knobs)', () => {
    expect(() => loadConfig({ env: { AUTHLY_TEST_PG_URL: 'postgresql://x', AUTHLY_MODE: 'embedded' } })).not.toThrow();
  });

  it('selects PostgreSQL when DATABASE_URL is set', () => {
    const url = 'postgresql://authly:secret@db.internal:5432/authly';
    const config = loadConfig({ env: { DATABASE_URL: url } });
    expect(config.database.backend).toBe('postgresql');
    expect(config.database.postgresql.url).toBe(url);
  });

  it('reads LOG_LEVEL case-insensitively and maps Python level names', () => {
    expect(loadConfig({ env: { LOG_LEVEL: 'DEBUG' } }).logging.level).toBe('debug');
    expect(loadConfig({ env: { LOG_LEVEL: 'WARNING' } }).logging.level).toBe('warn');
  });

  it("keeps the meaning of Authly's own variables", () => {
    const config = loadConfig({
      env: {
        HOST: '127.0.0.1',
        PORT: '8080',
        AUTHLY_ADMIN_USERNAME: 'root',
        AUTHLY_ADMIN_EMAIL: 'root@example.com',
        AUTHLY_ADMIN_PASSWORD: 'Str0ng!pass',
        ACCESS_TOKEN_EXPIRE_MINUTES: '5',
        REFRESH_TOKEN_EXPIRE_DAYS: '30',
        AUTHLY_REDIS_URL: 'redis://127.0.0.1:6379/0',
        LOG_JSON: 'false',
        JWT_ALGORITHM: 'HS256',
        JWT_SECRET_KEY: 'a'.repeat(32),
        JWT_REFRESH_SECRET_KEY: 'b'.repeat(32),
        DEFAULT_ISSUER_URL: 'https://auth.example.com',
      },
    });
    expect(config.server).toMatchObject({ host: '127.0.0.1', port: 8080 });
    expect(config.admin).toEqual({ username: 'root', email: 'root@example.com', password: 'Str0ng!pass', bootstrap: true, dev_mode: false });
    expect(config.tokens).toMatchObject({
      access_token_expire_minutes: 5,
      refresh_token_expire_days: 30,
      algorithm: 'HS256',
      jwt_secret_key: 'a'.repeat(32),
      jwt_refresh_secret_key: 'b'.repeat(32),
    });
    expect(config.server.issuer).toBe('https://auth.example.com');
    expect(config.redis.url).toBe('redis://127.0.0.1:6379/0');
    expect(config.logging.json).toBe(false);
  });

  it('requires both 32-byte secrets when JWT_ALGORITHM is HS256', () => {
    expect(() => loadConfig({ env: { JWT_ALGORITHM: 'HS256', JWT_SECRET_KEY: 'short' } })).toThrow(
      expect.objectContaining({
        problems: [
          expect.objectContaining({ path: 'tokens.jwt_secret_key', got: '"***"' }),
          expect.objectContaining({ path: 'tokens.jwt_refresh_secret_key' }),
        ],
      }),
    );
  });

  it('lets a generic AUTHLY_SECTION__KEY variable win over the matching Authly variable', () => {
    expect(loadConfig({ env: { PORT: '8080', AUTHLY_SERVER__PORT: '8081' } }).server.port).toBe(8081);
  });

  it('accepts a redis cache when redis.url is set', () => {
    const config = loadConfig({ env: { AUTHLY_CACHE__BACKEND: 'tiered', AUTHLY_REDIS_URL: 'redis://localhost:6379' } });
    expect(config.cache.backend).toBe('tiered');
  });
});
