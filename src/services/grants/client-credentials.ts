import type { Client } from '../../domain/client.js';
import { InvalidClient, InvalidScope, UnauthorizedClient } from '../../protocol/errors.js';
import { isSubsetOf, parseRequestedScope } from '../../protocol/scope.js';
import { registeredScopes } from '../client-scopes.js';
import type { GrantDeps, TokenRequest, TokenResponse } from '../token-request.js';
import { dpopBinding, toTokenResponse } from './shared.js';

/**
 * RFC 6749 §4.4: confidential clients only, no refresh token (§4.4.3). The client may
 * ask for its registered scopes (`oauth_clients.scope` and its assigned scopes) that are active,
 * no others; asking for none grants all of those.
 */
export async function clientCredentialsGrant(request: TokenRequest, client: Client | undefined, deps: GrantDeps): Promise<TokenResponse> {
  if (!client) throw new InvalidClient('Client authentication required');
  if (client.clientType !== 'confidential') throw new UnauthorizedClient('Only confidential clients may use client_credentials');
  if (!client.grantTypes.includes('client_credentials')) throw new UnauthorizedClient('The client may not use this grant type');

  const requested = parseRequestedScope(request.scope);
  const registered = await registeredScopes(client, deps.repos);
  if (!isSubsetOf(requested, registered)) throw new InvalidScope('The requested scope is not registered for this client');
  const wanted = requested.length > 0 ? requested : registered;
  // A deactivated scope is granted to nobody, even a client registered for it.
  const active = new Set((await deps.repos.scopes.findActiveByNames(wanted)).map((s) => s.scopeName));
  if (requested.some((s) => !active.has(s))) throw new InvalidScope('The requested scope is not active');
  const scopes = wanted.filter((s) => active.has(s));

  const tokens = await deps.issuer.issue({
    issuer: request.issuer,
    user: null,
    client,
    scopes,
    grant: 'client_credentials',
    withRefreshToken: false,
    ...dpopBinding(request, client),
  });
  return toTokenResponse(tokens, { scope: tokens.scope });
}
