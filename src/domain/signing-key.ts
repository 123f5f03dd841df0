/** A JSON Web Key as published in JWKS (RFC 7517 §4). */
export type PublicJwk = Record<string, unknown> & { kty: string };

/** A signing key (`oidc_jwks_keys`, plus our encrypted private part). */
export interface SigningKey {
  kid: string;
  /** The public JWK published in JWKS. */
  keyData: PublicJwk;
  keyType: string;
  algorithm: string;
  keyUse: 'sig' | 'enc';
  /** Signs new tokens while true. */
  isActive: boolean;
  createdAt: Date;
  /** For a retired key: when it may leave JWKS (its last token has expired). */
  expiresAt: Date | null;
  keySize: number | null;
  curve: string | null;
  /** Private key material, encrypted at rest by the caller; `null` for a public-only key. */
  privateKeyData: string | null;
}

/** What a caller supplies to add a key. */
export type NewSigningKey = Pick<SigningKey, 'kid' | 'keyData' | 'keyType' | 'algorithm'> &
  Partial<Pick<SigningKey, 'keyUse' | 'isActive' | 'createdAt' | 'expiresAt' | 'keySize' | 'curve' | 'privateKeyData'>>;
