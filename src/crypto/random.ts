import { randomBytes, randomUUID } from 'node:crypto';

/** Randomness as services see it; injected so tests can be deterministic. */
export interface RandomSource {
  /** `n` random bytes as unpadded base64url (32 bytes → 43 characters). */
  token(n?: number): string;
  /** `n` random bytes as lowercase hex (Authly's `jti` is 32 bytes → 64 hex characters). */
  hex(n?: number): string;
  /** A random UUID v4. */
  uuid(): string;
}

/** The CSPRNG-backed source used in production. */
export const cryptoRandom: RandomSource = {
  token: (n = 32) => randomBytes(n).toString('base64url'),
  hex: (n = 32) => randomBytes(n).toString('hex'),
  uuid: () => randomUUID(),
};
