import type { AuditLog } from '../audit/audit-log.js';
import { constantTimeEqual, credentialDigest } from '../crypto/digest.js';
import { TokenVerificationError, type JwtClaims } from '../crypto/token-signer.js';
import type { TokenRecord } from '../domain/token.js';
import type { Repositories } from '../repositories/repositories.js';
import type { Clock } from '../repositories/ports.js';
import type { ClientAuthServiceDeps } from './authenticate-client.js';
import { ACCESS_TOKEN_TYP, REFRESH_TOKEN_TYP, type TokenSigners } from './token-issuer.js';

/**
 * What the revocation and introspection endpoints need: the token stores and signers, and client
 * authentication.
 */
export interface TokenInspectionDeps extends ClientAuthServiceDeps {
  repos: Repositories;
  signers: TokenSigners;
  clock: Clock;
  /** Where revocations are reported. */
  audit?: AuditLog;
}

/** A token of ours that verifies and is still valid in the database. */
export interface LiveToken {
  kind: 'access' | 'refresh';
  claims: JwtClaims;
  record: TokenRecord;
}

/**
 * Finds the live token behind a presented string: signature, expiry, `typ`, and a database row
 * that matches its digest and is neither revoked nor expired (spec D3). `undefined` otherwise.
 * `hint` only decides which kind is tried first (RFC 7009 §2.1, RFC 7662 §2.1).
 */
export async function inspectToken(
  token: string,
  hint: string | undefined,
  deps: { repos: Repositories; signers: TokenSigners; clock: Clock },
): Promise<LiveToken | undefined> {
  const order: ('access' | 'refresh')[] = hint === 'refresh_token' ? ['refresh', 'access'] : ['access', 'refresh'];
  for (const kind of order) {
    const live = await inspectTokenOfKind(token, kind, deps);
    if (live) return live;
  }
  return undefined;
}

/**
 * The live token of one kind behind a presented string, or `undefined`. A bearer check needs
 * only access tokens, so it does not pay for a second verification as a refresh token.
 */
export async function inspectTokenOfKind(
  token: string,
  kind: 'access' | 'refresh',
  deps: { repos: Repositories; signers: TokenSigners; clock: Clock },
): Promise<LiveToken | undefined> {
  const now = deps.clock.now();
  let claims: JwtClaims;
  try {
    const signer = kind === 'access' ? deps.signers.access : deps.signers.refresh;
    ({ claims } = await signer.verify(token, { typ: kind === 'access' ? ACCESS_TOKEN_TYP : REFRESH_TOKEN_TYP, currentDate: now }));
  } catch (err) {
    if (err instanceof TokenVerificationError) return undefined;
    throw err;
  }
  if (typeof claims.jti !== 'string') return undefined;
  const record = await deps.repos.tokens.findByJti(claims.jti);
  if (!record || record.tokenType !== kind || record.invalidated || record.expiresAt <= now) return undefined;
  if (!constantTimeEqual(record.tokenValue, credentialDigest(token))) return undefined;
  return { kind, claims, record };
}
