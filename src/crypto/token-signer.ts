/** Algorithms the server signs with (RFC 7518 §3.1, RFC 8037 §3.1). Never `none`. */
export type SigningAlgorithm = 'ES256' | 'RS256' | 'EdDSA' | 'HS256';

/** Claims of a JWT as we build and read them (RFC 7519 §4). */
export type JwtClaims = Record<string, unknown> & {
  iss?: string;
  sub?: string;
  aud?: string | string[];
  exp?: number;
  iat?: number;
  jti?: string;
};

/** The protected header of a verified JWT. */
export interface JwtHeader {
  alg: string;
  kid?: string;
  typ?: string;
}

/** What to check when verifying (RFC 8725 §3: explicit algorithms, typed tokens). */
export interface VerifyOptions {
  /** Required `typ` header (e.g. `at+jwt`, RFC 9068 §2.1); compared case-insensitively. */
  typ?: string;
  issuer?: string;
  audience?: string;
  /** "Now" for `exp`/`nbf` checks (injected clock). */
  currentDate?: Date;
}

/** A verified token. */
export interface VerifiedJwt {
  claims: JwtClaims;
  header: JwtHeader;
}

/**
 * A compact JWT's header and claims, decoded once and not checked at all: the `jti` may find the
 * token's database row, nothing else of it may be used before its digest matched the recorded
 * one; then `checkRecordedClaims` checks it without decoding again.
 */
export interface DecodedJwt {
  header: JwtHeader;
  claims: JwtClaims;
}

/** A JWT failed verification: bad signature, unknown `kid`, wrong `alg`/`typ`, expired, malformed. */
export class TokenVerificationError extends Error {
  override readonly name = 'TokenVerificationError';
}

/**
 * Signs and verifies JWTs with the server's persisted keys.
 * Implementations: the asymmetric keystore (active key from `oidc_jwks_keys`) and the HS256
 * signer for Authly's shared-secret tokens.
 */
export interface TokenSigner {
  /**
   * Signs `claims` with the active key (or, when `algorithm` is given, the active key of that
   * algorithm, e.g. a client's `id_token_signed_response_alg`). The header carries `kid` and `typ`.
   */
  sign(claims: JwtClaims, options: { typ: string; algorithm?: SigningAlgorithm }): Promise<string>;
  /** Verifies signature and time claims; throws `TokenVerificationError`. */
  verify(token: string, options?: VerifyOptions): Promise<VerifiedJwt>;
  /**
   * For a string whose SHA-256 digest matched a recorded token only (so this server signed exactly
   * it), given as decoded once by `decodeUnverified`: what `verify` checks except the signature
   * itself: the header names a key that is still ours (a removed key still ends its tokens), `alg`
   * is that key's, `typ`, `exp`/`nbf`. Throws `TokenVerificationError`. Never call it for a token
   * the database does not know: that one needs `verify`.
   */
  readRecorded(decoded: DecodedJwt, options?: VerifyOptions): Promise<VerifiedJwt>;
  /** Algorithms `sign` can produce right now (for discovery documents). */
  algorithms(): Promise<SigningAlgorithm[]>;
}
