import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { AdminService } from '../../../services/admin/admin-service.js';
import { redirectSlash } from '../../plugins/trailing-slash.js';
import { adminClientRoutes } from './clients.js';
import { adminScopeRoutes } from './scopes.js';
import { adminSystemRoutes } from './system.js';
import { adminUserRoutes } from './users.js';

/** Options of the admin API. */
export interface AdminRoutesOptions {
  admin: AdminService;
}

/**
 * The admin API under `/admin` (spec §3.7). The network filter (enabled flag, localhost only)
 * is `registerAdminGuard`, a root hook, so it also covers unknown `/admin...` paths (spec §1.2).
 */
export const adminRoutes: FastifyPluginAsync<AdminRoutesOptions> = async function adminRoutes(app: FastifyInstance, options) {
  await app.register(adminSystemRoutes, options);
  await app.register(adminClientRoutes, options);
  await app.register(adminScopeRoutes, options);
  await app.register(adminUserRoutes, options);
  // Spec §1.3: the collections exist without the slash; the slash form redirects (307).
  for (const collection of ['clients', 'scopes', 'users']) redirectSlash(app, `/admin/${collection}/`, `/admin/${collection}`, ['GET', 'POST']);
};
