import { decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import type { CryptoKey } from 'jose';
import { TokenVerificationError } from './token-signer.js';
import type { DecodedJwt, JwtClaims, JwtHeader, VerifiedJwt, VerifyOptions } from './token-signer.js';

/**
 * Reads the protected header before any key is chosen. Only `alg` and `kid` are trusted from it
 * to pick a key, and both are checked against the key afterwards (RFC 8725 §3.1).
 * @throws TokenVerificationError for anything that is not a compact JWS with a JSON header.
 */
export function readHeader(token: string): JwtHeader {
  try {
    const header = decodeProtectedHeader(token);
    if (typeof header.alg !== 'string') throw new TypeError('no "alg" header');
    return {
      alg: header.alg,
      ...(typeof header.kid === 'string' ? { kid: header.kid } : {}),
      ...(typeof header.typ === 'string' ? { typ: header.typ } : {}),
    };
  } catch (error) {
    if (error instanceof TokenVerificationError) throw error;
    throw new TokenVerificationError('malformed token', { cause: error });
  }
}

/**
 * Verifies the signature with exactly one allowed algorithm — the key's own — so an `alg`
 * swap (`none`, or HS256 keyed with a public key) can never succeed (RFC 8725 §2.1, §3.1), then
 * `typ` (RFC 8725 §3.11), `exp`/`nbf` at `currentDate`, and `iss`/`aud` when asked.
 * @throws TokenVerificationError with jose's reason; the jose error is the `cause`.
 */
export async function verifyWithKey(
  token: string,
  key: CryptoKey | Uint8Array,
  algorithm: string,
  options: VerifyOptions,
): Promise<VerifiedJwt> {
  try {
    const { payload, protectedHeader } = await jwtVerify(token, key, {
      algorithms: [algorithm],
      ...(options.typ === undefined ? {} : { typ: options.typ }),
      ...(options.issuer === undefined ? {} : { issuer: options.issuer }),
      ...(options.audience === undefined ? {} : { audience: options.audience }),
      ...(options.currentDate === undefined ? {} : { currentDate: options.currentDate }),
    });
    return { claims: payload as JwtClaims, header: protectedHeader as JwtHeader };
  } catch (error) {
    const message = error instanceof Error ? error.message : 'invalid token';
    throw new TokenVerificationError(message, { cause: error });
  }
}

/** `typ` as jose compares it: case-insensitive, `application/` optional (RFC 7515 §4.1.9). */
function normalizeTyp(value: string): string {
  const lower = value.toLowerCase();
  return lower.startsWith('application/') ? lower.slice('application/'.length) : lower;
}

/**
 * Decodes header and claims once, without any check.
 * @throws TokenVerificationError for anything that is not a compact JWS with JSON header and claims.
 */
export function decodeUnverified(token: string): DecodedJwt {
  const header = readHeader(token);
  try {
    return { header, claims: decodeJwt(token) as JwtClaims };
  } catch (error) {
    throw new TokenVerificationError('malformed token', { cause: error });
  }
}

/**
 * Header and claims of a token whose signature need not be checked again, because the string is
 * one this server signed (its SHA-256 digest matched a recorded row): every check of
 * `verifyWithKey` but the signature: `alg` is `algorithm`, `typ`, `exp` (required) and `nbf` at
 * `currentDate`, `iss`/`aud` when asked. The caller checks that the key is still ours.
 * @throws TokenVerificationError
 */
export function checkRecordedClaims(decoded: DecodedJwt, algorithm: string, options: VerifyOptions): VerifiedJwt {
  const { header, claims } = decoded;
  if (header.alg !== algorithm) throw new TokenVerificationError('unexpected "alg"');
  if (options.typ !== undefined && (header.typ === undefined || normalizeTyp(header.typ) !== normalizeTyp(options.typ))) {
    throw new TokenVerificationError('unexpected "typ" JWT header value');
  }
  const now = Math.floor((options.currentDate ?? new Date()).getTime() / 1000);
  // RFC 7519 §4.1.4: not accepted on or after `exp`; §4.1.5: not before `nbf`.
  if (typeof claims.exp !== 'number' || claims.exp <= now) throw new TokenVerificationError('"exp" claim timestamp check failed');
  if (claims.nbf !== undefined && (typeof claims.nbf !== 'number' || claims.nbf > now)) {
    throw new TokenVerificationError('"nbf" claim timestamp check failed');
  }
  if (options.issuer !== undefined && claims.iss !== options.issuer) throw new TokenVerificationError('unexpected "iss" claim value');
  if (options.audience !== undefined) {
    const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!audiences.includes(options.audience)) throw new TokenVerificationError('unexpected "aud" claim value');
  }
  return { claims, header };
}
