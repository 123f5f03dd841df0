import type { FastifyRequest } from 'fastify';
import { parseBasicCredentials, type PresentedClientCredentials } from '../services/authenticate-client.js';

/**
 * Extracts client credentials from the Authorization header and the body (RFC 6749 §2.3.1), with
 * the client address that failed authentications are throttled by.
 */
export function presentedCredentials(request: FastifyRequest, params: Record<string, string>): PresentedClientCredentials {
  return {
    basic: parseBasicCredentials(request.headers.authorization),
    ...(params.client_id !== undefined && params.client_id !== '' ? { clientId: params.client_id } : {}),
    ...(params.client_secret !== undefined ? { clientSecret: params.client_secret } : {}),
    address: request.clientAddress,
  };
}
