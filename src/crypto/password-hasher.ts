import { createRequire } from 'node:module';
import type * as Argon2 from '@node-rs/argon2';
import bcrypt from 'bcryptjs';

/**
 * The argon2 native addon, required on first hash or verify: loading it (a platform package found
 * through several paths) is a measurable part of `authly serve`'s start, and no start-up step
 * hashes a password once the admin exists (bench/README.md, `startup`).
 */
let loaded: typeof Argon2 | undefined;
function argon2(): typeof Argon2 {
  loaded ??= createRequire(import.meta.url)('@node-rs/argon2') as typeof Argon2;
  return loaded;
}

/** The result of checking a password against a stored hash. */
export interface PasswordCheck {
  ok: boolean;
  /** True when the hash should be replaced by a fresh argon2id hash (e.g. an imported bcrypt hash). */
  needsRehash: boolean;
}

/** Hashes and verifies user passwords. */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(password: string, stored: string): Promise<PasswordCheck>;
}

/** OWASP's argon2id baseline (m=19 MiB, t=2, p=1): ~8 ms a hash here. */
const ARGON2_OPTIONS = { memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;
const BCRYPT = /^\$2[aby]\$\d\d\$/;

/**
 * argon2id for new hashes (RFC 9106 recommends it); bcrypt hashes imported from Authly are still
 * verified, and flagged for an upgrade on the next successful login.
 */
export function createPasswordHasher(): PasswordHasher {
  return {
    hash: (password) => argon2().hash(password, ARGON2_OPTIONS),
    async verify(password, stored) {
      if (BCRYPT.test(stored)) {
        // bcryptjs compares in constant time; bcrypt only reads the first 72 bytes, as Authly did.
        const ok = await bcrypt.compare(password, stored);
        return { ok, needsRehash: ok };
      }
      if (!stored.startsWith('$argon2')) return { ok: false, needsRehash: false };
      try {
        return { ok: await argon2().verify(stored, password), needsRehash: false };
      } catch {
        // A malformed stored hash is a failed login, not a server error.
        return { ok: false, needsRehash: false };
      }
    },
  };
}
