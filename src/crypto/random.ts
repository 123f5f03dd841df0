import { randomBytes, randomFillSync, randomUUID } from 'node:crypto';

/** Randomness as services see it; injected so tests can be deterministic. */
export interface RandomSource {
  /** `n` random bytes as unpadded base64url (32 bytes → 43 characters). */
  token(n?: number): string;
  /** `n` random bytes as lowercase hex (Authly's `jti` is 32 bytes → 64 hex characters). */
  hex(n?: number): string;
  /** A random UUID v4. */
  uuid(): string;
}

/** Bytes drawn from the CSPRNG at once; each is handed out once, then the pool is refilled. */
const POOL_SIZE = 4096;

/**
 * A pool of CSPRNG bytes, as Node keeps one for `randomUUID`: one `randomFillSync` per 4 KiB
 * instead of one call (and one buffer) per token id. The bytes are as random as
 * `randomBytes`'s; none is ever handed out twice.
 */
class RandomPool {
  readonly #pool = Buffer.allocUnsafeSlow(POOL_SIZE);
  #offset = POOL_SIZE;

  /** `n` fresh bytes encoded; requests larger than a quarter of the pool bypass it. */
  encoded(n: number, encoding: 'hex' | 'base64url'): string {
    if (n > POOL_SIZE / 4) return randomBytes(n).toString(encoding);
    if (this.#offset + n > POOL_SIZE) {
      randomFillSync(this.#pool);
      this.#offset = 0;
    }
    const start = this.#offset;
    this.#offset += n;
    return this.#pool.toString(encoding, start, start + n);
  }
}

const pool = new RandomPool();

/** The CSPRNG-backed source used in production. */
export const cryptoRandom: RandomSource = {
  token: (n = 32) => pool.encoded(n, 'base64url'),
  hex: (n = 32) => pool.encoded(n, 'hex'),
  uuid: () => randomUUID(),
};
