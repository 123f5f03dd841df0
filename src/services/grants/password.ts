import type { Client } from '../../domain/client.js';
import { InvalidRequest, InvalidScope, UnauthorizedClient } from '../../protocol/errors.js';
import { parseScope } from '../../protocol/scope.js';
import type { GrantDeps, TokenRequest, TokenResponse } from '../token-request.js';
import { authorizableScopeFilter } from '../client-scopes.js';
import { dpopBinding, toTokenResponse } from './shared.js';
import { verifyUserPassword } from '../verify-user-password.js';

/**
 * Resource-owner password grant (RFC 6749 §4.3), kept because Authly's CLI and scripts log in
 * with it. A request may name no client at all, as Authly's CLI does.
 */
export async function passwordGrant(request: TokenRequest, client: Client | undefined, deps: GrantDeps): Promise<TokenResponse> {
  if (client && !client.grantTypes.includes('password')) throw new UnauthorizedClient('The client may not use this grant type');
  if (!request.username || !request.password) throw new InvalidRequest('Username and password are required for password grant');

  const user = await verifyUserPassword(request.username, request.password, deps, { method: 'password_grant', clientId: client?.clientId ?? null });

  const requested = parseScope(request.scope);
  const active = new Set((await deps.repos.scopes.findActiveByNames(requested)).map((s) => s.scopeName));
  const unknown = requested.filter((s) => !active.has(s));
  if (unknown.length > 0) throw new InvalidScope(`Unknown scope: ${unknown.join(' ')}`);
  // A client gets at most what it is registered for, as at the authorization endpoint; `admin:*`
  // reaches a client only when it is registered for it. Without a client (Authly's CLI) the
  // user's own standing decides, as Authly had it.
  if (client) {
    const mayGrant = await authorizableScopeFilter(client, deps.repos);
    const refused = requested.filter((s) => !mayGrant(s));
    if (refused.length > 0) throw new InvalidScope(`Scope not allowed for this client: ${refused.join(' ')}`);
  }

  const now = deps.clock.now();
  const tokens = await deps.issuer.issue({
    issuer: request.issuer,
    user,
    client: client ?? null,
    scopes: requested,
    grant: 'password',
    withRefreshToken: true,
    ...dpopBinding(request, client),
  });
  await deps.repos.users.recordLogin(user.id, now);
  return toTokenResponse(tokens, { scope: tokens.scope, requiresPasswordChange: user.requiresPasswordChange });
}
