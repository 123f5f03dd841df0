import type { FastifyInstance, FastifyRequest } from 'fastify';
import { DetailError } from '../services/users/detail-error.js';
import { addressSet, inSet, isLoopback } from './plugins/client-address.js';

/** The `admin_api` config section. */
export interface AdminGuardOptions {
  enabled: boolean;
  localhostOnly: boolean;
  /** Extra addresses/CIDRs allowed while `localhostOnly` is set. */
  allowedNetworks: readonly string[];
}

/**
 * Authly's admin middleware (spec §1.2, §5.2): every path starting with `/admin` — unknown ones
 * and `/admin/health` included — is refused with 503 when the admin API is disabled, and with
 * 403 when the client is not on loopback (or an allowed network). The client address is
 * `request.clientAddress`, so forwarded headers count only from trusted proxies (D11).
 */
export function registerAdminGuard(app: FastifyInstance, options: AdminGuardOptions): void {
  const allowed = addressSet(options.allowedNetworks);
  app.addHook('onRequest', async function adminGuard(request: FastifyRequest) {
    if (!request.url.startsWith('/admin')) return;
    if (!options.enabled) {
      throw new DetailError(503, 'Admin API is currently disabled', { errorCode: 'ADMIN_API_DISABLED' });
    }
    const address = request.clientAddress;
    if (options.localhostOnly && !isLoopback(address) && !inSet(allowed, address)) {
      request.log.warn({ clientAddress: address, url: request.url }, 'admin API: non-local request refused');
      throw new DetailError(403, 'Admin API access restricted to localhost only', { errorCode: 'ADMIN_API_LOCALHOST_ONLY' });
    }
  });
}
