import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config/index.js';
import { API_PREFIX } from '../../protocol/discovery.js';
import type { AdminService } from '../../services/admin/admin-service.js';
import type { GrantService } from '../../services/consents.js';
import type { LoginThrottle } from '../../services/login-throttle.js';
import type { BearerAuthenticator } from '../../services/users/current-user.js';
import type { UserService } from '../../services/users/user-service.js';
import type { ClientRegistration } from '../../services/registration/client-registration.js';
import { registrationRoutes } from '../routes/registration.js';
import { createAdminNetworkFilter, registerUnmatchedAdminFilter, type AdminNetworkFilter } from '../admin-guard.js';
import { adminRoutes } from '../routes/admin/index.js';
import type { AuditEventsSource } from '../routes/admin/audit-events.js';
import type { AuditLog } from '../../audit/audit-log.js';
import { authRoutes } from '../routes/auth.js';
import { usersRoutes } from '../routes/users.js';
import { registerClientAddress } from './client-address.js';
import { registerCors } from './cors.js';
import { registerRateLimits } from './rate-limit.js';
import { registerRequestOrigin } from './request-origin.js';

/** The users, auth and admin APIs, wired by the composition root. */
export interface AccountApis {
  users: UserService;
  admin: AdminService;
  throttle: LoginThrottle;
  /** The OAuth service's bearer check. */
  authenticate: BearerAuthenticator;
  /** Where admin changes are recorded. */
  audit?: AuditLog;
  /** Behind `GET /admin/audit-events`. */
  auditEvents?: AuditEventsSource;
  /** Users' grants (remembered consents). */
  grants: GrantService;
  /** Dynamic client registration (RFC 7591/7592) and its initial access tokens. */
  registration?: ClientRegistration;
  /** `server.issuer`, for `registration_client_uri`. */
  issuer?: string | null;
}

/**
 * Request protection that must see every request, so it is registered before any route: the
 * client address (trusted proxies), the `Host` check and scheme (allowed hosts, trusted proxies'
 * `X-Forwarded-Proto`), the admin network filter for paths no route matched, CORS (off by
 * default) and the declared per-address rate limits. Returns the admin network filter, which the
 * admin routes put on themselves.
 */
export async function registerProtection(app: FastifyInstance, config: Config, throttle: LoginThrottle | undefined): Promise<AdminNetworkFilter> {
  registerClientAddress(app, config.server.trusted_proxies);
  registerRequestOrigin(app, {
    issuer: config.server.issuer,
    trustedProxies: config.server.trusted_proxies,
    allowedHosts: config.server.allowed_hosts,
  });
  const adminFilter = createAdminNetworkFilter({
    enabled: config.admin_api.enabled,
    localhostOnly: config.admin_api.localhost_only,
    allowedNetworks: config.admin_api.allowed_networks,
  });
  registerUnmatchedAdminFilter(app, adminFilter);
  await registerCors(app, {
    enabled: config.cors.enabled,
    origins: config.cors.origins,
    credentials: config.cors.credentials,
    maxAgeSeconds: config.cors.max_age_seconds,
  });
  if (throttle) registerRateLimits(app, throttle);
  return adminFilter;
}

/**
 * `{P}/auth/*`, `{P}/users/*` and `/admin/*`. The admin routes, and the admin-only routes of
 * `{P}/users/*`, sit behind `adminFilter` (enabled flag, localhost only), as their own hook.
 */
export async function registerAccountRoutes(app: FastifyInstance, apis: AccountApis, adminFilter: AdminNetworkFilter): Promise<void> {
  await app.register(authRoutes, { prefix: API_PREFIX, users: apis.users, authenticate: apis.authenticate });
  await app.register(usersRoutes, { apiPrefix: API_PREFIX, users: apis.users, authenticate: apis.authenticate, grants: apis.grants, adminFilter });
  await app.register(adminRoutes, { admin: apis.admin, grants: apis.grants, adminFilter, audit: apis.audit, auditEvents: apis.auditEvents, registration: apis.registration });
  if (apis.registration) await app.register(registrationRoutes, { prefix: API_PREFIX, registration: apis.registration, issuer: apis.issuer ?? null, apiPrefix: API_PREFIX });
}
