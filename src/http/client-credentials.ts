import type { FastifyRequest } from 'fastify';
import { API_PREFIX } from '../protocol/discovery.js';
import { parseBasicCredentials, type PresentedClientCredentials } from '../services/authenticate-client.js';
import { issuerFor } from './issuer.js';
import { requestUri } from './request-uri.js';

/**
 * Extracts client credentials from the Authorization header and the body (RFC 6749 §2.3.1, RFC
 * 7521 §4.2 assertions), with the client address that failed authentications are throttled by
 * and the audiences an assertion may name: the issuer, the token endpoint and the endpoint called
 * (RFC 7523 §3, RFC 9126 §2).
 */
export function presentedCredentials(request: FastifyRequest, params: Record<string, string>, configuredIssuer: string | null = null): PresentedClientCredentials {
  const assertion = params.client_assertion !== undefined || params.client_assertion_type !== undefined;
  return {
    basic: parseBasicCredentials(request.headers.authorization),
    ...(params.client_id !== undefined && params.client_id !== '' ? { clientId: params.client_id } : {}),
    ...(params.client_secret !== undefined ? { clientSecret: params.client_secret } : {}),
    ...(assertion ? { assertion: params.client_assertion ?? '', assertionType: params.client_assertion_type ?? '', audiences: assertionAudiences(request, configuredIssuer) } : {}),
    address: request.clientAddress,
  };
}

function assertionAudiences(request: FastifyRequest, configuredIssuer: string | null): string[] {
  const issuer = issuerFor(request, configuredIssuer);
  return [...new Set([issuer, `${issuer}${API_PREFIX}/oauth/token`, requestUri(request, configuredIssuer)])];
}
