import type { User } from '../../domain/user.js';
import { OAuthError } from '../../protocol/errors.js';
import type { BearerPrincipal, PresentedAccessToken } from '../authenticate-bearer.js';
import { BEARER_CHALLENGE, DetailError } from './detail-error.js';

/** A user behind a valid access token. */
export interface UserPrincipal {
  user: User;
  /** The token's granted scopes. */
  scopes: string[];
  /** The presented access token's `jti`. */
  jti: string;
}

/** Validates a bearer access token (the OAuth service's `authenticateBearer`). */
export type BearerAuthenticator = (presented: PresentedAccessToken) => Promise<BearerPrincipal>;

/**
 * Authly's "get current user" dependency: a missing or non-Bearer header is 401
 * `Not authenticated`; anything else wrong (bad signature, expired, revoked, user gone, or a
 * client_credentials token that acts for no user) is 401 `Could not validate credentials`.
 * Both carry `WWW-Authenticate: Bearer` (RFC 6750 §3).
 */
export async function currentUser(authenticate: BearerAuthenticator, presented: PresentedAccessToken): Promise<UserPrincipal> {
  let principal: BearerPrincipal;
  try {
    principal = await authenticate(presented);
  } catch (error) {
    // A DPoP-bound token without its proof (RFC 9449 §7.1) keeps its DPoP challenge.
    if (!(error instanceof OAuthError) || (error.error !== 'invalid_token' && error.error !== 'invalid_dpop_proof')) throw error;
    const detail = error.description === 'Not authenticated' ? 'Not authenticated' : 'Could not validate credentials';
    const dpop = error.headers['WWW-Authenticate']?.startsWith('DPoP') === true;
    throw new DetailError(401, detail, { headers: dpop ? error.headers : BEARER_CHALLENGE });
  }
  if (!principal.user) throw new DetailError(401, 'Could not validate credentials', { headers: BEARER_CHALLENGE });
  return { user: principal.user, scopes: principal.scopes, jti: principal.token.record.jti };
}
