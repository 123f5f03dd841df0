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

/** What a grant that ends a user's login (a code or a device code) hands over. */
export interface LoginGrant {
  user: User;
  client: Client;
  scopes: readonly string[];
  /** The family id (the code's or device code's id). */
  grantId: string;
  nonce: string | null;
  authTime: Date | null;
  sid: string | null;
  /** Recorded as the user's last login when given. */
  lastLogin?: Date;
  /** The grant type (audit events and metrics). */
  grant: string;
  /** The remembered consent the login rests on, recorded on each token. */
  consentId?: string | null;
  /** Whether a refresh token comes too (the client's grant types, OIDC Core §11 offline_access). */
  withRefreshToken: boolean;
  /** RFC 9449 §6: the DPoP key's thumbprint the access token is bound to. */
  dpopJkt?: string;
  /** RFC 9449 §5: bind the refresh token too (public clients). */
  bindRefreshToken?: boolean;
}

/**
 * Issues the tokens of a user's login, and an ID token when `openid` was granted (OIDC Core
 * §3.1.3.3), remembering its session for back-channel logout.
 */
export async function issueForLogin(request: TokenRequest, deps: GrantDeps, grant: LoginGrant): Promise<TokenResponse> {
  const { user, client, scopes } = grant;
  const tokens = await deps.issuer.issue({
    issuer: request.issuer,
    user,
    client,
    scopes,
    grantId: grant.grantId,
    grant: grant.grant,
    withRefreshToken: grant.withRefreshToken,
    ...(grant.consentId !== undefined ? { consentId: grant.consentId } : {}),
    ...(grant.dpopJkt !== undefined ? { dpopJkt: grant.dpopJkt } : {}),
    ...(grant.bindRefreshToken !== undefined ? { bindRefreshToken: grant.bindRefreshToken } : {}),
  });
  if (grant.lastLogin) await deps.repos.users.recordLogin(user.id, grant.lastLogin);
  const idToken =
    scopes.includes('openid') && deps.idTokens
      ? await deps.idTokens.mint({ issuer: request.issuer, user, client, scopes, nonce: grant.nonce, authTime: grant.authTime, accessToken: tokens.accessToken, sid: grant.sid })
      : undefined;
  if (idToken) await recordLogoutSession(deps, { sid: grant.sid, client, userId: user.id, issuer: request.issuer });
  return toTokenResponse(tokens, { idToken, scope: tokens.scope });
}

/**
 * OIDC Back-Channel Logout 1.0 §2.5: a client that registered a `backchannel_logout_uri` and
 * received an ID token of session `sid` is told when that session ends; this remembers it.
 */
export async function recordLogoutSession(deps: GrantDeps, input: { sid: string | null; client: Client; userId: string; issuer: string }): Promise<void> {
  if (!input.sid || !input.client.backchannelLogoutUri) return;
  await deps.repos.backchannelLogout.recordSession({ sid: input.sid, clientId: input.client.id, userId: input.userId, issuer: input.issuer }, deps.clock.now());
}
