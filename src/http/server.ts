import { randomUUID } from 'node:crypto';
import fastifyCookie from '@fastify/cookie';
import Fastify from 'fastify';
import type { FastifyBaseLogger, FastifyInstance, RouteOptions } from 'fastify';
import { registerOpenApi } from './openapi/openapi.js';
import type { Config } from '../config/index.js';
import { registerErrorHandling } from './error-handler.js';
import { registerGracefulClose } from './graceful-close.js';
import { registerRequestId, requestIdGenerator } from './request-id.js';
import { RequestLogController } from './request-logging.js';
import { healthRoutes } from './routes/health.js';
import { homeRoutes } from './routes/home.js';
import { registerMetrics } from './routes/metrics.js';
import type { AuthlyMetrics } from '../metrics/registry.js';
import type { HealthCheck } from './routes/health.js';
import { registerSecurityHeaders } from './security-headers.js';
import type { OAuthService } from '../services/oauth-service.js';
import { API_PREFIX } from '../protocol/discovery.js';
import { authorizeRoutes } from './routes/authorize.js';
import { oauthMetadataRoutes } from './routes/oauth-metadata.js';
import { revokeIntrospectRoutes } from './routes/revoke-introspect.js';
import { tokenRoutes } from './routes/token.js';
import { parRoutes } from './routes/par.js';
import { jwksRoutes, type JwksSource } from './routes/jwks.js';
import { oidcRoutes } from './routes/oidc.js';
import type { OidcService } from '../services/oidc-service.js';
import type { LoginThrottle } from '../services/login-throttle.js';
import type { DeviceFlow } from '../services/device/device-flow.js';
import { deviceRoutes } from './routes/device.js';
import { registerAccountRoutes, registerProtection, type AccountApis } from './plugins/accounts.js';
import { DEFAULT_BODY_LIMIT, registerBodyLimits } from './plugins/body-limits.js';

/** Everything the HTTP layer needs, passed in by the composition root. */
export interface BuildServerOptions {
  config: Config;
  /** The application logger (pino), used for request logs. */
  logger: FastifyBaseLogger;
  /** The database check behind `/health` (503 when it fails). */
  health: HealthCheck;
  /** Reported by `/health`, as Authly reports its package version. */
  version: string;
  /** The OAuth endpoints; absent in tests of the bare server. */
  oauth?: OAuthService;
  /** The JWK Set source (the keystore); absent in tests of the bare server. */
  jwks?: JwksSource;
  /** UserInfo, discovery and logout; registered together with `oauth`. */
  oidc?: OidcService;
  /** Prometheus metrics behind `GET /metrics`; absent in bare-server tests. */
  metrics?: AuthlyMetrics;
  /** Users, auth and admin APIs and the login throttle; absent in bare-server tests. */
  accounts?: AccountApis;
  /** The device authorization grant (RFC 8628); registered with `oauth`. */
  device?: DeviceFlow;
  /** New request ids (when the client sent none, or an unacceptable one); default random UUIDs. */
  newRequestId?: () => string;
  /** Sees every route as it is registered (tests compare them with `/openapi.json`). */
  onRoute?: (route: RouteOptions) => void;
}

/**
 * Builds the Fastify application without listening: tests call
 * `inject()`, the CLI calls `listen()`. Not yet `ready()`, so callers may register more routes.
 */
export async function buildServer(options: BuildServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: options.logger,
    // One line per request at info, health probes at debug (request-logging.ts).
    logController: new RequestLogController(),
    bodyLimit: DEFAULT_BODY_LIMIT,
    // close() closes idle keep-alive sockets at once and lets running requests finish (graceful-close.ts).
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    // X-Request-ID / X-Correlation-ID, validated (request-id.ts); Fastify's own header reading is off.
    requestIdHeader: false,
    genReqId: requestIdGenerator(options.newRequestId ?? randomUUID),
    // As Authly (FastAPI): no automatic HEAD on GET routes.
    exposeHeadRoutes: false,
  });
  if (options.onRoute) app.addHook('onRoute', options.onRoute);
  registerRequestId(app);
  registerGracefulClose(app, options.config.server.shutdown_grace_seconds);
  registerSecurityHeaders(app);
  registerErrorHandling(app);
  // Client address, Host check, admin network filter, CORS and rate limits, before any route.
  const adminFilter = await registerProtection(app, options.config, options.accounts?.throttle);
  await registerBodyLimits(app);
  await app.register(fastifyCookie);
  // Before any route: the description is generated from the routes as they are registered.
  await registerOpenApi(app, { version: options.version, adminFilter });
  if (options.metrics) registerMetrics(app, options.metrics);
  await app.register(healthRoutes, { health: options.health, version: options.version });
  await app.register(homeRoutes, { version: options.version, issuer: options.config.server.issuer });
  if (options.oauth) await registerOAuth(app, options.oauth, options.config.server.issuer, options.accounts?.throttle);
  if (options.oauth && options.device) {
    const path = `${API_PREFIX}/oauth/device`;
    await app.register(deviceRoutes, { prefix: API_PREFIX, device: options.device, oauth: options.oauth, issuer: options.config.server.issuer, path, throttle: options.accounts?.throttle });
  }
  if (options.jwks) await app.register(jwksRoutes, { keys: options.jwks });
  if (options.oauth && options.oidc) {
    await app.register(oidcRoutes, { oauth: options.oauth, oidc: options.oidc, issuer: options.config.server.issuer });
  }
  if (options.accounts) await registerAccountRoutes(app, options.accounts, adminFilter);
  return app;
}

async function registerOAuth(app: FastifyInstance, oauth: OAuthService, issuer: string | null, throttle?: LoginThrottle): Promise<void> {
  // `throttle` guards password logins (password grant, login form).
  await app.register(authorizeRoutes, { prefix: API_PREFIX, oauth, issuer, path: `${API_PREFIX}/oauth/authorize`, throttle });
  await app.register(tokenRoutes, { prefix: API_PREFIX, oauth, issuer, throttle });
  await app.register(parRoutes, { prefix: API_PREFIX, oauth, issuer });
  await app.register(revokeIntrospectRoutes, { prefix: API_PREFIX, oauth, issuer });
  await app.register(oauthMetadataRoutes, { oauth, issuer });
}
