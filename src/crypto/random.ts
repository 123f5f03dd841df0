import { randomBytes, randomFillSync, randomUUID } from 'node:crypto';
import { v7 as uuidV7 } from 'uuid';

/** Randomness as services see it; injected so tests can be deterministic. */
export interface RandomSource {
  /** `n` random bytes as unpadded base64url (32 bytes → 43 characters). */
  token(n?: number): string;
  /** `n` random bytes as lowercase hex (Authly's `jti` is 32 bytes → 64 hex characters). */
  hex(n?: number): string;
  /** A random UUID v4. */
  uuid(): string;
  /**
   * A UUID v7 for the instant `ms` (RFC 9562 §5.7: 48 bits of Unix milliseconds, then 74 random
   * bits). Ids of rows written at a high rate (tokens, their families) are made this way so that
   * each insert lands at the right-hand edge of the primary-key index instead of on a random
   * page: a commit then rewrites a few pages rather than one per row (docs/architecture.md).
   */
  timeOrderedUuid(ms: number): string;
  /**
   * `n` bytes as lowercase hex whose first 6 bytes are `ms` (big-endian) and the rest random: a
   * `jti` as long and as unguessable in its random part as Authly's, ordered by time for the same
   * index locality as {@link RandomSource.timeOrderedUuid}.
   */
  timeOrderedHex(ms: number, n?: number): string;
}

/** Bytes of a time-ordered hex id taken by its millisecond timestamp. */
const TIME_BYTES = 6;

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
    const start = this.#take(n);
    return this.#pool.toString(encoding, start, start + n);
  }

  /** `n` fresh bytes, copied out of the pool; requests larger than a quarter of it bypass it. */
  bytes(n: number): Uint8Array {
    if (n > POOL_SIZE / 4) return randomBytes(n);
    const start = this.#take(n);
    return Uint8Array.from(this.#pool.subarray(start, start + n));
  }

  /** Reserves the next `n` unused bytes (refilling when too few are left) and returns their offset. */
  #take(n: number): number {
    if (this.#offset + n > POOL_SIZE) {
      randomFillSync(this.#pool);
      this.#offset = 0;
    }
    const start = this.#offset;
    this.#offset += n;
    return start;
  }
}

const pool = new RandomPool();

/** The CSPRNG-backed source used in production. */
export const cryptoRandom: RandomSource = {
  token: (n = 32) => pool.encoded(n, 'base64url'),
  hex: (n = 32) => pool.encoded(n, 'hex'),
  uuid: () => randomUUID(),
  // The 16 random bytes come from the pool: uuid's own source draws from the CSPRNG on every call.
  timeOrderedUuid: (ms) => uuidV7({ msecs: ms, random: pool.bytes(16) }),
  timeOrderedHex: (ms, n = 32) => Math.trunc(ms).toString(16).padStart(TIME_BYTES * 2, '0').slice(-TIME_BYTES * 2) + pool.encoded(n - TIME_BYTES, 'hex'),
};
