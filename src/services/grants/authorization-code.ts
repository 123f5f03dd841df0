import { credentialDigest } from '../../crypto/digest.js';
import type { Client } from '../../domain/client.js';
import { InvalidClient, InvalidDpopProof, InvalidGrant, InvalidRequest, UnauthorizedClient } from '../../protocol/errors.js';
import { verifyPkce } from '../../protocol/pkce.js';
import { parseScope } from '../../protocol/scope.js';
import type { GrantDeps, TokenRequest, TokenResponse } from '../token-request.js';
import { activeUser, dpopBinding, issueForLogin } from './shared.js';

/**
 * RFC 6749 §4.1.3 with OAuth 2.1 rules: PKCE (S256) always, exact redirect URI, single use.
 * Every check runs before the code is consumed, so a failed attempt leaves it usable.
 */
export async function exchangeAuthorizationCode(request: TokenRequest, client: Client | undefined, deps: GrantDeps): Promise<TokenResponse> {
  const { code, redirectUri, codeVerifier } = request;
  if (!code || !redirectUri || !codeVerifier) {
    throw new InvalidRequest('code, redirect_uri, client_id, and code_verifier are required for authorization_code grant');
  }
  // RFC 6749 §4.1.3: a client that does not authenticate must still identify itself.
  if (!client) throw new InvalidClient('client_id is required');
  if (!client.grantTypes.includes('authorization_code')) throw new UnauthorizedClient('The client may not use this grant type');

  const now = deps.clock.now();
  const codeHash = credentialDigest(code);
  const stored = await deps.repos.authorizationCodes.findByCode(codeHash);
  if (!stored) throw new InvalidGrant('Invalid authorization code');
  if (stored.clientId !== client.id) throw new InvalidGrant('Invalid client for authorization code');
  if (stored.isUsed) await revokeReusedCode(stored.id, client.clientId, stored.userId, deps);
  if (stored.expiresAt <= now) throw new InvalidGrant('Authorization code expired or already used');
  if (stored.redirectUri !== redirectUri) throw new InvalidGrant('Redirect URI mismatch');
  if (!verifyPkce(codeVerifier, stored.codeChallenge)) throw new InvalidGrant('Invalid PKCE code verifier');
  // RFC 9449 §10: a code bound to a DPoP key (`dpop_jkt`) is redeemed only with a proof of that key.
  if (stored.dpopJkt !== null && stored.dpopJkt !== request.dpopJkt) throw new InvalidDpopProof('The authorization code is bound to another DPoP key');

  // The database decides single use; losing here means another request redeemed it at once.
  const consumed = await deps.repos.authorizationCodes.consume(codeHash, now);
  if (!consumed) await revokeReusedCode(stored.id, client.clientId, stored.userId, deps);

  const user = await activeUser(deps, stored.userId);
  // A grant revoked since the code was issued yields nothing (its family is revoked as well).
  if (stored.consentId !== null && (await deps.repos.consents.findLive(user.id, client.id))?.id !== stored.consentId) {
    throw new InvalidGrant('The provided authorization grant is invalid, expired, or revoked');
  }
  const scopes = parseScope(stored.scope);
  // The code's id names the family: a concurrent reuse revokes it, and the issuer then refuses
  // (and invalidates) these tokens even if that revocation ran before they were written.
  return issueForLogin(request, deps, {
    user,
    client,
    scopes,
    grantId: stored.id,
    grant: 'authorization_code',
    consentId: stored.consentId,
    withRefreshToken: client.grantTypes.includes('refresh_token') && mayHaveRefreshToken(scopes),
    ...dpopBinding(request, client),
    nonce: stored.nonce,
    authTime: stored.authTime ?? stored.createdAt,
    sid: stored.sid,
    lastLogin: now,
  });
}

/**
 * OIDC Core §11: an OpenID Connect request (scope `openid`) gets a refresh token only with
 * `offline_access`, which the user consented to; a plain OAuth request keeps Authly's rule (a
 * refresh token whenever the client may use the grant).
 */
export function mayHaveRefreshToken(scopes: readonly string[]): boolean {
  return !scopes.includes('openid') || scopes.includes('offline_access');
}

/**
 * RFC 6749 §4.1.2: "If an authorization code is used more than once, the authorization server
 * MUST deny the request and SHOULD revoke … all tokens previously issued based on that code."
 * The family is marked revoked for good, so tokens a concurrent redemption is still writing die
 * too (RFC 9700 §4.14.2's rule for refresh-token families, applied to the code's family).
 */
async function revokeReusedCode(grantId: string, clientId: string, userId: string | null, deps: GrantDeps): Promise<never> {
  const revoked = await deps.repos.tokens.revokeFamily(grantId, deps.clock.now());
  deps.audit?.record({ event: 'authorization_code.reused', userId, clientId, details: { grant_id: grantId, revoked } });
  throw new InvalidGrant('Authorization code expired or already used');
}
