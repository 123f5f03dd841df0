import type { Client } from '../domain/client.js';
import { InvalidDpopProof, UnsupportedGrantType } from '../protocol/errors.js';
import { parseRequestedScope } from '../protocol/scope.js';
import { authenticateRequestClient } from './authenticate-client.js';
import { exchangeAuthorizationCode } from './grants/authorization-code.js';
import { clientCredentialsGrant } from './grants/client-credentials.js';
import { exchangeDeviceCode } from './grants/device-code.js';
import { DEVICE_CODE_GRANT_TYPE } from './device/device-flow.js';
import { passwordGrant } from './grants/password.js';
import { refreshTokens } from './grants/refresh-token.js';
import type { GrantDeps, TokenRequest, TokenResponse } from './token-request.js';

/** The grant types the token endpoint serves. */
export const SUPPORTED_GRANT_TYPES = ['authorization_code', 'refresh_token', 'client_credentials', 'password', DEVICE_CODE_GRANT_TYPE] as const;

/**
 * The client the request names, authenticated as registered, before anything about the grant is
 * judged (RFC 6749 §3.2.1, §5.2): a wrong secret is `401 invalid_client` whatever else is wrong
 * with the request, and nothing about a code or token is revealed to an unauthenticated caller.
 * `undefined` when the request names no client (each grant decides whether that is allowed).
 */
export function tokenEndpointClient(request: TokenRequest, deps: GrantDeps): Promise<Client | undefined> {
  return authenticateRequestClient(request.credentials, deps);
}

/** `POST /oauth/token`: authenticates the client, then dispatches on `grant_type` (RFC 6749 §4, §6). */
export async function exchangeToken(request: TokenRequest, deps: GrantDeps): Promise<TokenResponse> {
  const client = await tokenEndpointClient(request, deps);
  request = await withDpopKey(request, client, deps);
  // Bounded before any grant looks the names up (`invalid_scope`), whatever the grant.
  parseRequestedScope(request.scope);
  switch (request.grantType) {
    case 'authorization_code':
      return exchangeAuthorizationCode(request, client, deps);
    case 'refresh_token':
      return refreshTokens(request, client, deps, { echoScope: true });
    case 'client_credentials':
      return clientCredentialsGrant(request, client, deps);
    case 'password':
      return passwordGrant(request, client, deps);
    case DEVICE_CODE_GRANT_TYPE:
      return exchangeDeviceCode(request, client, deps);
    default:
      throw new UnsupportedGrantType(`The authorization grant type '${request.grantType ?? ''}' is not supported`);
  }
}

/**
 * Authly's JSON `POST /oauth/refresh`: the refresh grant, client authenticated first. Its
 * `grant_type` may be left out, and is otherwise `refresh_token`.
 */
export async function refreshWithJson(request: TokenRequest, deps: GrantDeps): Promise<TokenResponse> {
  const client = await tokenEndpointClient(request, deps);
  request = await withDpopKey(request, client, deps);
  if (request.grantType !== undefined && request.grantType !== 'refresh_token') {
    throw new UnsupportedGrantType('The authorization grant type is not supported');
  }
  parseRequestedScope(request.scope);
  return refreshTokens(request, client, deps, { echoScope: true });
}

/**
 * RFC 9449 §5: a token request with a `DPoP` proof gets tokens bound to the proof's key; a client
 * registered with `dpop_bound_access_tokens` must send one (§5.2). The proof is checked after the
 * client authenticated and before the grant is judged.
 */
async function withDpopKey(request: TokenRequest, client: Client | undefined, deps: GrantDeps): Promise<TokenRequest> {
  const proof = request.dpop && deps.dpop ? await deps.dpop.verify({ ...request.dpop, endpoint: 'authorization-server' }) : undefined;
  if (!proof && client?.dpopBoundAccessTokens) throw new InvalidDpopProof('This client must send a DPoP proof');
  return proof ? { ...request, dpopJkt: proof.jkt } : request;
}
