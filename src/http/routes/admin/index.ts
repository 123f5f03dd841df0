import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { AdminService } from '../../../services/admin/admin-service.js';
import type { GrantService } from '../../../services/consents.js';
import { guardAdminRoutes, type AdminNetworkFilter } from '../../admin-guard.js';
import { redirectSlash } from '../../plugins/trailing-slash.js';
import type { ClientRegistration } from '../../../services/registration/client-registration.js';
import { adminClientRoutes } from './clients.js';
import { adminRegistrationTokenRoutes } from './registration-tokens.js';
import { adminScopeRoutes } from './scopes.js';
import { adminSystemRoutes } from './system.js';
import { adminUserRoutes } from './users.js';
import { adminAuditRoutes, type AuditEventsSource } from './audit-events.js';
import type { AuditLog } from '../../../audit/audit-log.js';

/** Options of the admin API. */
export interface AdminRoutesOptions {
  admin: AdminService;
  /** Users' grants (remembered consents). */
  grants: GrantService;
  /** The network filter (enabled flag, localhost only), put on every route of this plugin. */
  adminFilter: AdminNetworkFilter;
  /** Where admin changes are recorded. */
  audit?: AuditLog;
  /** Behind `GET /admin/audit-events`. */
  auditEvents?: AuditEventsSource;
  /** Dynamic client registration, for its initial access tokens; absent in bare tests. */
  registration?: ClientRegistration;
}

/**
 * The admin API under `/admin`. The network filter is a hook of this (encapsulated) plugin, so it
 * guards the routes the router matched whatever the spelling of the request target; unknown
 * `/admin…` paths are filtered by the root hook of `registerUnmatchedAdminFilter`.
 */
export const adminRoutes: FastifyPluginAsync<AdminRoutesOptions> = async function adminRoutes(app: FastifyInstance, options) {
  guardAdminRoutes(app, options.adminFilter);
  await app.register(adminSystemRoutes, options);
  await app.register(adminClientRoutes, options);
  await app.register(adminScopeRoutes, options);
  await app.register(adminUserRoutes, options);
  await app.register(adminAuditRoutes, options);
  if (options.registration) await app.register(adminRegistrationTokenRoutes, { admin: options.admin, registration: options.registration });
  // As in Authly, the collections exist without the slash; the slash form redirects (307).
  for (const collection of ['clients', 'scopes', 'users']) redirectSlash(app, `/admin/${collection}/`, `/admin/${collection}`, ['GET', 'POST']);
};
