import type { FastifyInstance, FastifyRequest } from 'fastify';
import { DetailError } from '../services/users/detail-error.js';
import { addressSet, inSet, isLoopback } from './plugins/client-address.js';
import { isAdminPath, normalisedPath } from './request-path.js';

/** The `admin_api` config section. */
export interface AdminGuardOptions {
  enabled: boolean;
  localhostOnly: boolean;
  /** Extra addresses/CIDRs allowed while `localhostOnly` is set. */
  allowedNetworks: readonly string[];
}

/**
 * The admin network filter as an `onRequest` hook: resolves, or throws the 503/403 answer.
 * `allows` asks the same question without answering or logging (the API description leaves the
 * admin paths out for a caller the filter would refuse).
 */
export type AdminNetworkFilter = ((request: FastifyRequest) => Promise<void>) & { allows(request: FastifyRequest): boolean };

/**
 * Authly's admin middleware: refused with 503 `ADMIN_API_DISABLED` when the admin API is
 * disabled, and with 403 `ADMIN_API_LOCALHOST_ONLY` when the client is not on loopback (or an
 * allowed network). The client address is `request.clientAddress`, so forwarded headers count
 * only from trusted proxies. The warning names the route pattern (or the normalised path), never
 * the raw target: its query may carry a code or a token.
 */
export function createAdminNetworkFilter(options: AdminGuardOptions): AdminNetworkFilter {
  const allowed = addressSet(options.allowedNetworks);
  const reachable = (address: string) => !options.localhostOnly || isLoopback(address) || inSet(allowed, address);
  const filter = async function adminNetworkFilter(request: FastifyRequest) {
    if (!options.enabled) {
      throw new DetailError(503, 'Admin API is currently disabled', { errorCode: 'ADMIN_API_DISABLED' });
    }
    const address = request.clientAddress;
    if (!reachable(address)) {
      const path = request.routeOptions.url ?? normalisedPath(request.url);
      request.log.warn({ clientAddress: address, path }, 'admin API: non-local request refused');
      throw new DetailError(403, 'Admin API access restricted to localhost only', { errorCode: 'ADMIN_API_LOCALHOST_ONLY' });
    }
  };
  return Object.assign(filter, { allows: (request: FastifyRequest) => options.enabled && reachable(request.clientAddress) });
}

/**
 * Puts every route of `scope` behind the filter. Call it inside the encapsulated plugin that
 * registers the admin routes: the hook then belongs to the routes themselves, so it runs whatever
 * spelling of the path the router matched (`/%61dmin/users`, an absolute-form target, …).
 */
export function guardAdminRoutes(scope: FastifyInstance, filter: AdminNetworkFilter): void {
  scope.addHook('onRequest', filter);
}

/**
 * Requests no route matched are judged on their decoded, normalised path: Authly answers every
 * `/admin…` path, unknown ones included, with the filter's 503/403 rather than a 404, so a
 * remote client learns nothing about which admin paths exist. Register on the root instance.
 */
export function registerUnmatchedAdminFilter(app: FastifyInstance, filter: AdminNetworkFilter): void {
  // A callback hook: a matched route goes on at once, without a promise and a microtask turn.
  app.addHook('onRequest', function unmatchedAdminFilter(request: FastifyRequest, _reply, done) {
    if (!request.is404 || !isAdminPath(normalisedPath(request.url))) return done();
    filter(request).then(() => done(), done);
  });
}
