import { decodeProtectedHeader, jwtVerify } from 'jose';
import type { CryptoKey } from 'jose';
import { TokenVerificationError } from './token-signer.js';
import type { JwtClaims, JwtHeader, VerifiedJwt, VerifyOptions } from './token-signer.js';

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
