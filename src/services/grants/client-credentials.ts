import type { Client } from '../../domain/client.js';
import { InvalidClient, InvalidScope, UnauthorizedClient } from '../../protocol/errors.js';
import { isSubsetOf, parseScope } from '../../protocol/scope.js';
import type { GrantDeps, TokenRequest, TokenResponse } from '../token-request.js';
import { toTokenResponse } from './shared.js';

/**
 * RFC 6749 §4.4 (spec D13): confidential clients only, no refresh token (§4.4.3). The client may
 * ask for its registered scopes (`oauth_clients.scope` and its assigned scopes), no others.
 */
export async function clientCredentialsGrant(request: TokenRequest, client: Client | undefined, deps: GrantDeps): Promise<TokenResponse> {
  if (!client) throw new InvalidClient('Client authentication required');
  if (client.clientType !== 'confidential') throw new UnauthorizedClient('Only confidential clients may use client_credentials');
  if (!client.grantTypes.includes('client_credentials')) throw new UnauthorizedClient('The client may not use this grant type');

  const registered = [...new Set([...parseScope(client.scope), ...(await deps.repos.clients.findScopes(client.id))])];
  const requested = parseScope(request.scope);
  if (!isSubsetOf(requested, registered)) throw new InvalidScope('The requested scope is not registered for this client');
  const scopes = requested.length > 0 ? requested : registered;

  const tokens = await deps.issuer.issue({
    issuer: request.issuer,
    user: null,
    client,
    scopes,
    grantId: deps.issuer.newGrantId(),
    withRefreshToken: false,
  });
  return toTokenResponse(tokens, { scope: tokens.scope });
}
