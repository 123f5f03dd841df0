import type { FastifyRequest } from 'fastify';
import { requestRefused } from './oauth-routes.js';

/**
 * One issuer everywhere (OIDC Discovery §4.3: the issuer a client sees must be exact): the
 * configured one, or, when unset, the origin of an allowed `Host` (loopback or
 * `server.allowed_hosts`, checked by the request-origin plugin), with the scheme a trusted proxy
 * reports. A request without a usable host is refused, never answered with a made-up issuer.
 */
export function issuerFor(request: FastifyRequest, configured: string | null): string {
  if (configured) return configured.replace(/\/+$/, '');
  if (request.requestOrigin) return request.requestOrigin;
  throw requestRefused(request, 'The request names no host to derive the issuer from');
}
