import type { Client } from '../../domain/client.js';
import type { User } from '../../domain/user.js';
import { InvalidGrant } from '../../protocol/errors.js';
import { requireAccountInGoodStanding } from '../account-standing.js';
import type { IssuedTokens } from '../token-issuer.js';
import type { GrantDeps, TokenRequest, TokenResponse } from '../token-request.js';

/**
 * The user a grant acts for, which must still exist, be active and be verified: a code or a
 * refresh token outlives the moment it was issued, so the account is judged again here.
 */
export async function activeUser(deps: GrantDeps, userId: string | null): Promise<User> {
  const user = userId ? await deps.repos.users.findById(userId) : undefined;
  if (!user) throw new InvalidGrant('The provided authorization grant is invalid, expired, or revoked');
  return requireAccountInGoodStanding(user);
}

/** Shapes RFC 6749 §5.1's body, leaving out members that have no value. */
export function toTokenResponse(
  tokens: IssuedTokens,
  extra: { idToken?: string; scope: string | null; requiresPasswordChange?: boolean },
): TokenResponse {
  return {
    access_token: tokens.accessToken,
    token_type: tokens.tokenType,
    expires_in: tokens.expiresIn,
    ...(tokens.refreshToken ? { refresh_token: tokens.refreshToken } : {}),
    ...(extra.scope ? { scope: extra.scope } : {}),
    ...(extra.idToken ? { id_token: extra.idToken } : {}),
    ...(extra.requiresPasswordChange ? { requires_password_change: true as const } : {}),
  };
}

/**
 * The DPoP binding of a grant's tokens (RFC 9449 §5): the access token carries the proof key's
 * thumbprint; a public client's refresh token is bound too, since nothing else ties it to the
 * client (a confidential client's refresh token is tied by its authentication).
 */
export function dpopBinding(request: TokenRequest, client: Client | null | undefined): { dpopJkt?: string; bindRefreshToken?: boolean } {
  if (!request.dpopJkt) return {};
  const isPublic = !client || client.clientType === 'public' || client.tokenEndpointAuthMethod === 'none';
  return { dpopJkt: request.dpopJkt, bindRefreshToken: isPublic };
}
