import { presentedAccessToken } from '../../request-uri.js';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { AdminService } from '../../../services/admin/admin-service.js';

/** Options of the admin system routes. */
export interface AdminSystemRoutesOptions {
  admin: AdminService;
}

/** The admin system API: health (no auth, IP filter only), status and dashboard statistics. */
export const adminSystemRoutes: FastifyPluginAsync<AdminSystemRoutesOptions> = async function adminSystemRoutes(app: FastifyInstance, { admin }) {
  app.get('/admin/health', async function adminHealth() {
    return { status: 'healthy', service: 'authly-admin-api' };
  });

  app.get('/admin/status', async function adminStatus(request) {
    await admin.authorize(presentedAccessToken(request), 'admin:system:read');
    return admin.system.status();
  });

  app.get('/admin/dashboard/stats', async function dashboardStats(request) {
    await admin.authorize(presentedAccessToken(request), 'admin:system:read');
    return admin.system.dashboard();
  });
};
