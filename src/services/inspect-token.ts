import type { AuditLog } from '../audit/audit-log.js';
import { constantTimeEqual, credentialDigest } from '../crypto/digest.js';
import { decodeUnverified } from '../crypto/jwt-verification.js';
import { TokenVerificationError, type DecodedJwt, type JwtClaims } from '../crypto/token-signer.js';
import type { TokenRecord, TokenType } from '../domain/token.js';
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
  kind: TokenType;
  claims: JwtClaims;
  record: TokenRecord;
}

/**
 * Finds the live token behind a presented string: a database row for its `jti` that is
 * neither revoked nor expired and whose SHA-256 digest matches the whole string, then the checks
 * of `TokenSigner.readRecorded` (key still ours, `typ`, `exp`). A matching digest means this
 * server signed exactly this string, so the signature is not checked again; a string the database
 * does not know is never accepted. `undefined` otherwise. `hint` is not needed: the row says which
 * kind the token is (RFC 7662 §2.1 and RFC 7009 §2.1 let the server ignore the hint).
 */
export async function inspectToken(
  token: string,
  _hint: string | undefined,
  deps: { repos: Repositories; signers: TokenSigners; clock: Clock },
): Promise<LiveToken | undefined> {
  return inspectRecorded(token, KINDS, deps);
}

const KINDS: readonly TokenType[] = ['access', 'refresh'];

/** The live token of one kind behind a presented string (a bearer check needs access tokens only), or `undefined`. */
export async function inspectTokenOfKind(
  token: string,
  kind: TokenType,
  deps: { repos: Repositories; signers: TokenSigners; clock: Clock },
): Promise<LiveToken | undefined> {
  return inspectRecorded(token, [kind], deps);
}

async function inspectRecorded(
  token: string,
  kinds: readonly TokenType[],
  deps: { repos: Repositories; signers: TokenSigners; clock: Clock },
): Promise<LiveToken | undefined> {
  // A revoked or expired row ends the inspection before the digest is even computed.
  return readRecorded(token, kinds, deps, (record, now) => !record.invalidated && record.expiresAt > now);
}

/**
 * The token of one of `kinds` behind a presented string, found as {@link inspectTokenOfKind}
 * finds it (row by `jti`, SHA-256 digest of the whole string equal to the recorded one, then
 * `TokenSigner.readRecorded`: key still ours, `typ`, `exp`), but whether or not its row was
 * invalidated or has expired: the refresh grant must tell a replayed (rotated) refresh token
 * from an unknown string, because a replay revokes the family (RFC 9700 §4.14.2). The caller
 * checks `record.invalidated` and `record.expiresAt` itself.
 */
export async function findRecordedToken(
  token: string,
  kind: TokenType,
  deps: { repos: Repositories; signers: TokenSigners; clock: Clock },
): Promise<LiveToken | undefined> {
  return readRecorded(token, [kind], deps, () => true);
}

async function readRecorded(
  token: string,
  kinds: readonly TokenType[],
  deps: { repos: Repositories; signers: TokenSigners; clock: Clock },
  admit: (record: TokenRecord, now: Date) => boolean,
): Promise<LiveToken | undefined> {
  // Decoded once: the `jti` finds the row; header and claims are checked only after the digest matched.
  let decoded: DecodedJwt;
  try {
    decoded = decodeUnverified(token);
  } catch (err) {
    if (err instanceof TokenVerificationError) return undefined;
    throw err;
  }
  const jti = decoded.claims.jti;
  if (typeof jti !== 'string') return undefined;
  const now = deps.clock.now();
  const record = await deps.repos.tokens.findByJti(jti);
  if (!record || !kinds.includes(record.tokenType) || !admit(record, now)) return undefined;
  // Only now is anything of the token trusted: the string is exactly the one that was recorded.
  if (!constantTimeEqual(record.tokenValue, credentialDigest(token))) return undefined;
  const kind = record.tokenType;
  let claims: JwtClaims;
  try {
    const signer = kind === 'access' ? deps.signers.access : deps.signers.refresh;
    ({ claims } = await signer.readRecorded(decoded, { typ: kind === 'access' ? ACCESS_TOKEN_TYP : REFRESH_TOKEN_TYP, currentDate: now }));
  } catch (err) {
    if (err instanceof TokenVerificationError) return undefined;
    throw err;
  }
  return { kind, claims, record };
}
