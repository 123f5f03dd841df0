import type { Client } from '../../domain/client.js';
import type { TokenRecord } from '../../domain/token.js';
import { InvalidClient, InvalidDpopProof, InvalidGrant, InvalidRequest, InvalidScope, UnauthorizedClient } from '../../protocol/errors.js';
import { isSubsetOf, parseScope } from '../../protocol/scope.js';
import { findRecordedToken } from '../inspect-token.js';
import type { GrantDeps, TokenRequest, TokenResponse } from '../token-request.js';
import { activeUser, dpopBinding, toTokenResponse } from './shared.js';
import { confirmedKey } from '../dpop/confirmation.js';

/**
 * RFC 6749 §6 with OAuth 2.1 §4.3.1 rotation: each refresh token works once; presenting a rotated
 * one again means it leaked, so the whole family is revoked (RFC 9700 §4.14.2). `authenticated`
 * is the client the request authenticated as, before any of this runs (RFC 6749 §6).
 */
export async function refreshTokens(
  request: TokenRequest,
  authenticated: Client | undefined,
  deps: GrantDeps,
  opts: { echoScope: boolean },
): Promise<TokenResponse> {
  const presented = request.refreshToken;
  if (!presented) throw new InvalidRequest('refresh_token is required for refresh_token grant');
  const { record, boundJkt } = await findRefreshRecord(presented, deps);
  const client = await refreshingClient(authenticated, record, deps);
  // RFC 9449 §5: a bound refresh token is used only with a proof of its key, and stays bound to it.
  if (boundJkt !== undefined && boundJkt !== request.dpopJkt) throw new InvalidDpopProof('The refresh token is bound to another DPoP key');

  const granted = parseScope(record.scope);
  const requested = parseScope(request.scope);
  // RFC 6749 §6: the new scope "MUST NOT include any scope not originally granted".
  if (requested.length > 0 && !isSubsetOf(requested, granted)) {
    throw new InvalidScope('The requested scope exceeds the scope originally granted');
  }
  const scopes = requested.length > 0 ? requested : granted;

  const now = deps.clock.now();
  // One compare-and-set decides which of two concurrent uses rotates; the other is a replay and
  // revokes the family. The rotation's new tokens join the family through the issuer, which
  // refuses and invalidates them when that revocation got there first (RFC 9700 §4.14.2: after
  // a reuse nothing of the family survives, whichever request the database served first).
  if (!(await deps.repos.tokens.invalidate(record.jti, now))) await revokeFamily(record, client, deps);

  const user = await activeUser(deps, record.userId);
  const binding = boundJkt !== undefined ? { dpopJkt: boundJkt, bindRefreshToken: true } : dpopBinding(request, client);
  const tokens = await deps.issuer.issue({ issuer: request.issuer, user, client: client ?? null, scopes, grantId: familyOf(record), consentId: record.consentId, withRefreshToken: true, grant: 'refresh_token', ...binding });
  const idToken =
    client && scopes.includes('openid') && deps.idTokens
      ? await deps.idTokens.mint({ issuer: request.issuer, user, client, scopes, nonce: null, authTime: null, accessToken: tokens.accessToken })
      : undefined;
  // Both refresh paths report the scope.
  return toTokenResponse(tokens, { idToken, scope: opts.echoScope ? tokens.scope : null });
}

/**
 * The refresh token behind the presented string, by its recorded digest as introspection finds
 * tokens (`findRecordedToken`): the row of its `jti` must be a refresh token whose SHA-256 digest
 * equals that of the whole string, so the string is exactly one this server signed and issued as
 * a refresh token, and its signature is not verified again; the header's key must still be ours,
 * `typ` must be `refresh+jwt` (RFC 8725 §3.11: an access token is refused) and `exp` not passed.
 * A string the database does not know is never accepted. A match whose row was already
 * invalidated is a replay and revokes the family (RFC 9700 §4.14.2).
 */
async function findRefreshRecord(presented: string, deps: GrantDeps): Promise<{ record: TokenRecord; boundJkt: string | undefined }> {
  const found = await findRecordedToken(presented, 'refresh', deps);
  if (!found) throw new InvalidGrant('Invalid refresh token');
  const { record, claims } = found;
  if (claims.type !== 'refresh') throw new InvalidRequest('Invalid token type');
  if (record.invalidated) await revokeFamily(record, undefined, deps);
  if (record.expiresAt <= deps.clock.now()) throw new InvalidGrant('Token is invalid or expired');
  return { record, boundJkt: confirmedKey(claims) };
}

/**
 * The client that holds the token must be the one refreshing it (RFC 6749 §6). A confidential
 * client authenticates; a public client's token may be refreshed without any client parameter
 * (Authly's clients do so).
 */
async function refreshingClient(authenticated: Client | undefined, record: TokenRecord, deps: GrantDeps): Promise<Client | undefined> {
  if (authenticated) {
    if (record.clientId !== null && record.clientId !== authenticated.id) throw new InvalidGrant('The refresh token was issued to another client');
    if (!authenticated.grantTypes.includes('refresh_token')) throw new UnauthorizedClient('The client may not use this grant type');
    return authenticated;
  }
  if (record.clientId === null) return undefined;
  const owner = await deps.repos.clients.findById(record.clientId);
  if (!owner || !owner.isActive) throw new InvalidGrant('Token is invalid or expired');
  if (owner.clientType !== 'public' && owner.tokenEndpointAuthMethod !== 'none') throw new InvalidClient('Client authentication required');
  return owner;
}

/**
 * The family a refresh token belongs to: its grant, or (an Authly token recorded before token
 * families existed) the token itself, whose rotations then form the family.
 */
export function familyOf(record: TokenRecord): string {
  return record.grantId ?? record.id;
}

/** A replay (RFC 9700 §4.14.2): the family is marked revoked for good, then invalidated. */
async function revokeFamily(record: TokenRecord, client: Client | undefined, deps: GrantDeps): Promise<never> {
  const now = deps.clock.now();
  let revoked = await deps.repos.tokens.revokeFamily(familyOf(record), now);
  // An Authly token has no recorded family: its user's tokens are the nearest thing to one.
  if (!record.grantId && record.userId) revoked += await deps.repos.tokens.invalidateByUser(record.userId, now);
  if (deps.audit) {
    // The audit names the public client_id; the record holds the client's row id.
    const owner = client ?? (record.clientId === null ? undefined : await deps.repos.clients.findById(record.clientId));
    deps.audit.record({ event: 'refresh_token.reused', userId: record.userId, clientId: owner?.clientId ?? null, details: { grant_id: familyOf(record), revoked } });
  }
  throw new InvalidGrant('Token is invalid or expired');
}
