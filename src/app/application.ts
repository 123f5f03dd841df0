import { availableParallelism, hostname } from 'node:os';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { Config } from '../config/index.js';
import { createClientSecrets } from '../crypto/client-secret.js';
import { createCsrfTokens } from '../crypto/csrf.js';
import { createHmacSigner } from '../crypto/hmac-signer.js';
import type { Keystore } from '../crypto/keystore.js';
import { deriveKey, loadMasterKey, masterKeySourceFrom } from '../crypto/master-key.js';
import { createPasswordHasher } from '../crypto/password-hasher.js';
import { cryptoRandom, type RandomSource } from '../crypto/random.js';
import { SigningThread } from '../crypto/signing-thread.js';
import type { SigningAlgorithm, TokenSigner } from '../crypto/token-signer.js';
import { buildServer, type BuildServerOptions } from '../http/server.js';
import { systemClock, type Clock } from '../repositories/ports.js';
import { BrowserSessions } from '../services/browser-session.js';
import { createIdTokenMinter } from '../services/id-token-minter.js';
import { OAuthService } from '../services/oauth-service.js';
import { createSigningKeys } from '../services/signing-keys.js';
import { OidcService } from '../services/oidc-service.js';
import { createMetrics } from '../metrics/registry.js';
import type { TokenSigners } from '../services/token-issuer.js';
import { createContainer, type Container } from './container.js';
import { Pruner } from './pruner.js';
import { RedisThrottleStore } from '../cache/redis-throttle-store.js';
import { SIGNING_KEYS_TTL_SECONDS } from '../cache/keys.js';
import { createAccountServices } from '../services/admin/account-services.js';
import { MemoryThrottleStore, type ThrottleStore } from '../services/login-throttle-store.js';
import { ClientAuthThrottle } from '../services/client-auth-throttle.js';
import { createAuditLog, type AuditLog } from '../audit/audit-log.js';
import { ClientKeys } from '../services/client-keys.js';
import { DpopVerifier } from '../services/dpop/dpop-verifier.js';
import { createDpopNonces } from '../crypto/dpop-nonce.js';
import { createPushedRequestSeals } from '../crypto/pushed-request-seal.js';
import { DEFAULT_FEATURES } from '../protocol/discovery.js';
import { DeviceFlow } from '../services/device/device-flow.js';
import { ClientRegistration } from '../services/registration/client-registration.js';
import { LogoutDelivery } from '../services/backchannel/logout-delivery.js';

/** A running application: storage, keys, services and the (not yet listening) HTTP server. */
export interface Application {
  readonly container: Container;
  readonly keystore: Keystore;
  readonly oauth: OAuthService;
  readonly server: FastifyInstance;
  /** Deletes expired rows every `database.prune_interval_seconds`; absent when that is 0. */
  readonly pruner?: Pruner;
  /** Security events: log lines, and `audit_events` rows with `audit.sink: database`. */
  readonly audit: AuditLog;
  /** Delivers back-channel logout notices from the outbox; absent when `backchannel_logout.enabled` is off. */
  readonly logoutDelivery?: LogoutDelivery;
  /** Set when this start created the admin with a generated password: shown once, never logged. */
  readonly generatedAdmin?: { username: string; password: string };
  /** Closes the server, then storage; idempotent. */
  close(): Promise<void>;
}

/** What the caller owns or a test replaces. */
export interface ApplicationDeps {
  logger: FastifyBaseLogger;
  version: string;
  clock?: Clock;
  random?: RandomSource;
  /** Sees every HTTP route as it is registered (tests). */
  onRoute?: BuildServerOptions['onRoute'];
}

/** Pins the keystore to the configured token algorithm (it may differ from `keys.algorithm`). */
function withAlgorithm(signer: TokenSigner, algorithm: SigningAlgorithm): TokenSigner {
  return {
    sign: (claims, options) => signer.sign(claims, { algorithm, ...options }),
    verify: (token, options) => signer.verify(token, options),
    readRecorded: (decoded, options) => signer.readRecorded(decoded, options),
    algorithms: () => signer.algorithms(),
  };
}

function tokenSigners(config: Config, keystore: Keystore): TokenSigners {
  const { algorithm, jwt_secret_key, jwt_refresh_secret_key } = config.tokens;
  // Authly's HS256 tokens with its two shared secrets, when configured (validated in config).
  if (algorithm === 'HS256' && jwt_secret_key && jwt_refresh_secret_key) {
    return { access: createHmacSigner(jwt_secret_key), refresh: createHmacSigner(jwt_refresh_secret_key) };
  }
  const signer = withAlgorithm(keystore, algorithm);
  return { access: signer, refresh: signer };
}

/** `keys.signing_thread`: a worker thread for signatures, or none (sign on the event loop). */
function signingThreadFor(config: Config, logger: ApplicationDeps['logger']): SigningThread | undefined {
  const setting = config.keys.signing_thread;
  // With one CPU the worker would only take turns with the event loop, and add a message each way.
  const wanted = setting === 'on' || (setting === 'auto' && availableParallelism() > 1);
  return wanted ? new SigningThread({ logger }) : undefined;
}

/** Rate-limit and lockout counters in Redis when `redis.url` is set, else in process. */
function throttleStoreFor(config: Config, logger: ApplicationDeps['logger'], clock: Clock): ThrottleStore {
  if (config.redis.url) return new RedisThrottleStore({ url: config.redis.url, keyPrefix: config.redis.key_prefix, logger });
  return new MemoryThrottleStore({ now: () => clock.now().getTime() });
}

/** The in-process pruner, unless `database.prune_interval_seconds` is 0. */
function prunerFor(config: Config, container: Container, deps: { clock: Clock; random: RandomSource; logger: ApplicationDeps['logger'] }): Pruner | undefined {
  const intervalSeconds = config.database.prune_interval_seconds;
  if (intervalSeconds === 0) return undefined;
  return new Pruner({
    repositories: container.repositories,
    leases: container.storage.leases,
    clock: deps.clock,
    logger: deps.logger,
    intervalSeconds,
    holder: `${hostname()}:${process.pid}:${deps.random.hex(4)}`,
    ...(config.audit.sink === 'database' ? { audit: { repository: container.storage.auditEvents, retentionDays: config.audit.retention_days } } : {}),
  });
}

/**
 * The composition root of the server: storage and repositories from the
 * container, the master key and persisted signing keys, the OAuth services and the routes.
 */
export async function createApplication(config: Config, deps: ApplicationDeps): Promise<Application> {
  const clock = deps.clock ?? systemClock;
  const random = deps.random ?? cryptoRandom;
  // Created first, so the database's statements are timed from the first migration on; the
  // sources read the container only at scrape time, when it exists.
  const metrics = createMetrics({
    version: deps.version,
    cacheStats: () => container.cacheStats(),
    poolStats: () => container.storage.poolStats?.(),
  });
  // An injected clock drives cache expiry too; the default keeps the cache on its monotonic timer.
  const container = await createContainer(config, {
    logger: deps.logger,
    onQuery: (seconds) => metrics.observeQuery(seconds),
    ...(deps.clock ? { clock: deps.clock } : {}),
  });
  let throttleStore: ThrottleStore | undefined;
  let signingThread: SigningThread | undefined;
  const audit = createAuditLog({
    logger: deps.logger,
    clock,
    ids: random,
    ...(config.audit.sink === 'database' ? { repository: container.storage.auditEvents } : {}),
    observers: [(event) => metrics.observeAuditEvent(event)],
  });
  try {
    const master = loadMasterKey(masterKeySourceFrom(config), { random, logger: deps.logger });
    const { tokens } = config;
    signingThread = signingThreadFor(config, deps.logger);
    // Re-read as often as the cache keeps signing keys: a key rotated elsewhere is used within a minute.
    const { keystore } = createSigningKeys({
      repository: container.repositories.signingKeys,
      masterKey: master,
      config,
      clock,
      random,
      logger: deps.logger,
      refreshIntervalSeconds: SIGNING_KEYS_TTL_SECONDS,
      audit,
      ...(signingThread ? { signature: signingThread.sign } : {}),
    });
    // A key per advertised algorithm before the first request: JWKS is complete from the start.
    // Decrypted and imported while the services and routes are built; awaited before returning,
    // so before the server listens.
    const keysReady = keystore.ensureSigningKeys();
    keysReady.catch(() => {}); // awaited below; a failure meanwhile is not an unhandled rejection
    // One hasher and one secret keying, shared by the OAuth and admin services.
    const passwords = createPasswordHasher();
    const secrets = createClientSecrets(deriveKey(master, 'client-secret-hmac'), random);
    // Rate-limit, lockout and client-authentication counters live in Redis when redis.url is set,
    // so limits hold across instances.
    throttleStore = throttleStoreFor(config, deps.logger, clock);
    const rate = config.rate_limit;
    const clientAuthThrottle = new ClientAuthThrottle({
      store: throttleStore,
      settings: {
        enabled: rate.enabled,
        windowSeconds: rate.window_seconds,
        failuresPerClient: rate.client_auth_failures_per_client,
        failuresPerIp: rate.client_auth_failures_per_ip,
      },
      logger: deps.logger,
      audit,
    });
    const oauthConfig = config.oauth;
    const replay = container.repositories.replayGuard;
    const assertions = {
      keys: new ClientKeys({
        settings: { allowPrivateTargets: oauthConfig.allow_private_jwks_uri, cacheSeconds: oauthConfig.jwks_uri_cache_seconds },
        clock,
        logger: deps.logger,
      }),
      replay,
      clock,
      maxLifetimeSeconds: oauthConfig.client_assertion_max_lifetime_seconds,
    };
    const dpop = new DpopVerifier({
      settings: {
        algorithms: oauthConfig.dpop_signing_alg_values.length > 0 ? oauthConfig.dpop_signing_alg_values : DEFAULT_FEATURES.dpopSigningAlgValues,
        maxAgeSeconds: oauthConfig.dpop_proof_max_age_seconds,
        requireNonce: oauthConfig.dpop_require_nonce,
      },
      nonces: createDpopNonces(deriveKey(master, 'dpop-nonce-hmac')),
      replay,
      clock,
    });
    const discovery = { registration: config.registration.policy !== 'closed', backchannelLogout: config.backchannel_logout.enabled };
    const csrf = createCsrfTokens(deriveKey(master, 'csrf-token-hmac'), random);
    const oauth = new OAuthService({
      repos: container.repositories,
      clock,
      random,
      logger: deps.logger,
      signers: tokenSigners(config, keystore),
      passwords,
      secrets,
      settings: {
        accessTokenTtlSeconds: tokens.access_token_expire_minutes * 60,
        refreshTokenTtlSeconds: tokens.refresh_token_expire_days * 86_400,
        authorizationCodeTtlSeconds: tokens.authorization_code_expire_seconds,
        audience: tokens.audience,
        introspectionRequiresClientAuth: tokens.introspection_requires_client_auth,
        pushedRequestTtlSeconds: oauthConfig.pushed_request_expire_seconds,
        requirePushedAuthorizationRequests: oauthConfig.require_pushed_authorization_requests,
        discovery,
      },
      sessions: new BrowserSessions({ signer: keystore, clock, random, ttlSeconds: tokens.session_expire_minutes * 60 }),
      csrf,
      idTokens: createIdTokenMinter({ keystore, clock, ttlSeconds: tokens.id_token_expire_minutes * 60 }),
      clientAuthThrottle,
      audit,
      assertions,
      dpop,
      seals: createPushedRequestSeals(deriveKey(master, 'pushed-request-hmac')),
    });
    // Users, auth and admin services, bootstrap and the login throttle, over the same counters.
    const accounts = await createAccountServices(config, {
      repos: container.repositories,
      passwords,
      secrets,
      clock,
      random,
      logger: deps.logger,
      authenticate: (presented) => oauth.authenticateBearer(presented),
      throttleStore,
      database: { backend: container.storage.backend, ping: () => container.storage.ping() },
      audit,
    });
    const device = new DeviceFlow({
      repos: container.repositories,
      clock,
      random,
      secrets,
      passwords,
      csrf,
      logger: deps.logger,
      throttleStore,
      clientAuthThrottle,
      settings: {
        expiresInSeconds: config.device_authorization.expires_in_seconds,
        intervalSeconds: config.device_authorization.interval_seconds,
        entryLimit: { enabled: rate.enabled, perIp: rate.device_code_entry_per_ip, windowSeconds: rate.window_seconds },
      },
    });
    const registration = new ClientRegistration({
      repos: container.repositories,
      secrets,
      random,
      clock,
      policy: config.registration.policy,
      initialAccessTokenTtlSeconds: config.registration.token_expire_seconds,
    });
    const server = await buildServer({
      device,
      config,
      logger: deps.logger,
      health: () => container.storage.ping(),
      version: deps.version,
      oauth,
      jwks: keystore,
      oidc: new OidcService({
        repos: container.repositories,
        keystore,
        clock,
        logoutHintGraceSeconds: tokens.session_expire_minutes * 60,
        reservedNames: [config.admin.username],
        features: oauth.features,
      }),
      metrics,
      accounts: { ...accounts, audit, auditEvents: { repository: container.storage.auditEvents, sink: config.audit.sink }, registration, issuer: config.server.issuer },
      newRequestId: () => random.uuid(),
      ...(deps.onRoute ? { onRoute: deps.onRoute } : {}),
    });
    await keysReady;
    const pruner = prunerFor(config, container, { clock, random, logger: deps.logger });
    pruner?.start();
    const bcl = config.backchannel_logout;
    const logoutDelivery = bcl.enabled
      ? new LogoutDelivery({
          repos: container.repositories,
          keystore,
          clock,
          random,
          logger: deps.logger,
          settings: {
            allowPrivateTargets: bcl.allow_private_targets,
            timeoutMs: bcl.timeout_ms,
            maxAttempts: bcl.max_attempts,
            retryBaseSeconds: bcl.retry_base_seconds,
            pollIntervalMs: bcl.poll_interval_ms,
          },
        })
      : undefined;
    logoutDelivery?.start();
    let closed = false;
    return {
      container,
      keystore,
      oauth,
      server,
      ...(pruner ? { pruner } : {}),
      audit,
      ...(logoutDelivery ? { logoutDelivery } : {}),
      generatedAdmin: accounts.generatedAdmin,
      async close() {
        if (closed) return;
        closed = true;
        // Running requests finish first; then background work; then the connections they used.
        await server.close();
        await signingThread?.close();
        await pruner?.stop();
        // Events of the requests just finished are written before the database closes.
        await audit.close();
        await logoutDelivery?.stop();
        await throttleStore?.close();
        await container.close();
      },
    };
  } catch (error) {
    await signingThread?.close();
    await audit.close();
    await throttleStore?.close();
    await container.close();
    throw error;
  }
}
