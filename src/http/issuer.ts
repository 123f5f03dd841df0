import type { FastifyRequest } from 'fastify';

/**
 * Spec D4: one issuer everywhere — the configured one, or, when unset, derived from the request
 * (scheme and Host, default ports dropped). Forwarded headers are not trusted here: behind a
 * proxy, configure `server.issuer`.
 */
export function issuerFor(request: FastifyRequest, configured: string | null): string {
  if (configured) return configured.replace(/\/+$/, '');
  const url = new URL(`${request.protocol}://${request.host}`);
  return url.origin;
}
