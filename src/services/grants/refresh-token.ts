import { constantTimeEqual, credentialDigest } from '../../crypto/digest.js';
import { TokenVerificationError } from '../../crypto/token-signer.js';
import type { Client } from '../../domain/client.js';
import type { TokenRecord } from '../../domain/token.js';
import { InvalidClient, InvalidGrant, InvalidRequest, InvalidScope, UnauthorizedClient } from '../../protocol/errors.js';
import { isSubsetOf, parseScope } from '../../protocol/scope.js';
import { authenticateClient } from '../authenticate-client.js';
import { REFRESH_TOKEN_TYP } from '../token-issuer.js';
import type { GrantDeps, TokenRequest, TokenResponse } from '../token-request.js';
import { activeUser, toTokenResponse } from './shared.js';

/**
 * RFC 6749 §6 with OAuth 2.1 §4.3.1 rotation: each refresh token works once; presenting a rotated
 * one again means it leaked, so the whole family is revoked (RFC 9700 §4.14.2, spec D13).
 */
export async function refreshTokens(request: TokenRequest, deps: GrantDeps, opts: { echoScope: boolean }): Promise<TokenResponse> {
  const presented = request.refreshToken;
  if (!presented) throw new InvalidRequest('refresh_token is required for refresh_token grant');
  const record = await findRefreshRecord(presented, deps);
  const client = await authenticateRefreshClient(request, record, deps);

  const granted = parseScope(record.scope);
  const requested = parseScope(request.scope);
  // RFC 6749 §6: the new scope "MUST NOT include any scope not originally granted".
  if (requested.length > 0 && !isSubsetOf(requested, granted)) {
    throw new InvalidScope('The requested scope exceeds the scope originally granted');
  }
  const scopes = requested.length > 0 ? requested : granted;

  const now = deps.clock.now();
  // One compare-and-set decides which of two concurrent uses rotates; the other is a replay.
  if (!(await deps.repos.tokens.invalidate(record.jti, now))) await revokeFamily(record, deps);

  const user = await activeUser(deps, record.userId);
  const grantId = record.grantId ?? record.id;
  const tokens = await deps.issuer.issue({ issuer: request.issuer, user, client: client ?? null, scopes, grantId, withRefreshToken: true });
  const idToken =
    client && scopes.includes('openid') && deps.idTokens
      ? await deps.idTokens.mint({ issuer: request.issuer, user, client, scopes, nonce: null, authTime: null, accessToken: tokens.accessToken })
      : undefined;
  // Spec D9: both refresh paths report the scope.
  return toTokenResponse(tokens, { idToken, scope: opts.echoScope ? tokens.scope : null });
}

async function findRefreshRecord(presented: string, deps: GrantDeps): Promise<TokenRecord> {
  let jti: string | undefined;
  try {
    const { claims } = await deps.signers.refresh.verify(presented, { typ: REFRESH_TOKEN_TYP, currentDate: deps.clock.now() });
    if (claims.type !== 'refresh') throw new InvalidRequest('Invalid token type');
    jti = typeof claims.jti === 'string' ? claims.jti : undefined;
  } catch (err) {
    if (err instanceof TokenVerificationError) throw new InvalidGrant('Invalid refresh token');
    throw err;
  }
  if (!jti) throw new InvalidRequest('Invalid token claims');
  const record = await deps.repos.tokens.findByJti(jti);
  if (!record || record.tokenType !== 'refresh' || !constantTimeEqual(record.tokenValue, credentialDigest(presented))) {
    throw new InvalidGrant('Token is invalid or expired');
  }
  if (record.invalidated) await revokeFamily(record, deps);
  if (record.expiresAt <= deps.clock.now()) throw new InvalidGrant('Token is invalid or expired');
  return record;
}

/**
 * Spec D5: the client that holds the token must be the one refreshing it. A confidential client
 * authenticates; a public client's token may be refreshed without any client parameter.
 */
async function authenticateRefreshClient(request: TokenRequest, record: TokenRecord, deps: GrantDeps): Promise<Client | undefined> {
  const client = await authenticateClient(request.credentials, { clients: deps.repos.clients, secrets: deps.secrets });
  if (client) {
    if (record.clientId !== null && record.clientId !== client.id) throw new InvalidGrant('The refresh token was issued to another client');
    if (!client.grantTypes.includes('refresh_token')) throw new UnauthorizedClient('The client may not use this grant type');
    return client;
  }
  if (record.clientId === null) return undefined;
  const owner = await deps.repos.clients.findById(record.clientId);
  if (!owner || !owner.isActive) throw new InvalidGrant('Token is invalid or expired');
  if (owner.clientType !== 'public' && owner.tokenEndpointAuthMethod !== 'none') throw new InvalidClient('Client authentication required');
  return owner;
}

async function revokeFamily(record: TokenRecord, deps: GrantDeps): Promise<never> {
  const now = deps.clock.now();
  const revoked = record.grantId
    ? await deps.repos.tokens.invalidateByGrant(record.grantId, now)
    : record.userId
      ? await deps.repos.tokens.invalidateByUser(record.userId, now)
      : 0;
  deps.logger.warn({ event: 'refresh_token.reused', grantId: record.grantId, revoked }, 'rotated refresh token replayed; its family was revoked');
  throw new InvalidGrant('Token is invalid or expired');
}
