import type { FastifyRequest } from 'fastify';
import { API_PREFIX } from '../protocol/discovery.js';
import { OAuthError } from '../protocol/errors.js';
import { DetailError } from '../services/users/detail-error.js';

/** The OAuth 2.1 and OpenID Connect endpoints: their errors use RFC 6749's `{error, error_description}`. */
const OAUTH_PREFIXES = [`${API_PREFIX}/oauth/`, `${API_PREFIX}/oidc/`, '/oidc/', '/.well-known/'];

/** True for a route pattern (or path) of the OAuth/OIDC endpoints. */
export function isOAuthPath(url: string): boolean {
  return OAUTH_PREFIXES.some((prefix) => url.startsWith(prefix));
}

/** True when the route the request matched is an OAuth/OIDC endpoint (never for unmatched paths). */
export function isOAuthRoute(request: FastifyRequest): boolean {
  const url = request.routeOptions.url;
  return url !== undefined && isOAuthPath(url);
}

/**
 * A refused request in the body its route speaks: `invalid_request` (RFC 6749 §5.2) on the
 * OAuth/OIDC endpoints, FastAPI's `{"detail": …}` elsewhere.
 */
export function requestRefused(request: FastifyRequest, description: string, status = 400): OAuthError | DetailError {
  return isOAuthRoute(request) ? new OAuthError('invalid_request', description, status, false) : new DetailError(status, description);
}
