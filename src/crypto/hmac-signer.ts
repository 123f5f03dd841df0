import { signCompactJws } from './compact-jws.js';
import { checkRecordedClaims, readHeader, verifyWithKey } from './jwt-verification.js';
import { TokenVerificationError } from './token-signer.js';
import type { DecodedJwt, JwtClaims, SigningAlgorithm, TokenSigner, VerifiedJwt, VerifyOptions } from './token-signer.js';

/** RFC 7518 §3.2: an HS256 key must be at least as long as the hash output. */
const MIN_SECRET_BYTES = 32;

/**
 * Authly's shared-secret tokens (`JWT_SECRET_KEY` / `JWT_REFRESH_SECRET_KEY` with
 * `JWT_ALGORITHM=HS256`). One signer per secret: the token service uses one for access tokens and
 * another for refresh tokens, so neither kind verifies as the other. No `kid`: there is one key.
 * @throws TypeError when the secret is shorter than 32 bytes.
 */
export function createHmacSigner(secret: string | Uint8Array): TokenSigner {
  const key = typeof secret === 'string' ? new TextEncoder().encode(secret) : Uint8Array.from(secret);
  if (key.length < MIN_SECRET_BYTES) throw new TypeError(`an HS256 secret needs at least ${MIN_SECRET_BYTES} bytes`);
  return {
    async sign(claims: JwtClaims, options: { typ: string; algorithm?: SigningAlgorithm }): Promise<string> {
      if (options.algorithm !== undefined && options.algorithm !== 'HS256') {
        throw new TypeError(`the HS256 signer cannot sign ${options.algorithm}`);
      }
      return signCompactJws({ alg: 'HS256', typ: options.typ }, claims, key);
    },
    async verify(token: string, options: VerifyOptions = {}): Promise<VerifiedJwt> {
      // RFC 8725 §3.1: only HS256 — `none` and asymmetric algorithms are refused before any check.
      const header = readHeader(token);
      if (header.alg !== 'HS256') throw new TokenVerificationError(`unsupported "alg" ${header.alg}`);
      return verifyWithKey(token, key, 'HS256', options);
    },
    async readRecorded(decoded: DecodedJwt, options: VerifyOptions = {}): Promise<VerifiedJwt> {
      return checkRecordedClaims(decoded, 'HS256', options);
    },
    async algorithms(): Promise<SigningAlgorithm[]> {
      return ['HS256'];
    },
  };
}
