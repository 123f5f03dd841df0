import type { FastifyRequest } from 'fastify';
import type { AccessTokenPresentation } from '../services/authenticate-bearer.js';
import { issuerFor } from './issuer.js';

/**
 * The URI the client called, without query and fragment, as DPoP's `htu` (RFC 9449 §4.3) and a
 * client assertion's endpoint `aud` (RFC 9126 §2) name it: the issuer's origin (configured, or
 * derived from an allowed `Host`) and the request path.
 */
export function requestUri(request: FastifyRequest, configuredIssuer: string | null): string {
  const path = request.url.split('?')[0] ?? '/';
  return `${new URL(issuerFor(request, configuredIssuer)).origin}${path}`;
}

/**
 * The access token a protected-resource request presents, with what a DPoP proof must name
 * (RFC 9449 §7): the `Authorization` and `DPoP` headers, the method and the URI without query.
 */
export function presentedAccessToken(request: FastifyRequest): AccessTokenPresentation {
  const path = request.url.split('?')[0] ?? '/';
  return { authorization: request.headers.authorization, dpop: request.headers.dpop, method: request.method, url: `${request.publicOrigin ?? ''}${path}` };
}
