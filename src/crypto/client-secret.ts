import { createHmac, timingSafeEqual } from 'node:crypto';
import bcrypt from 'bcryptjs';
import type { RandomSource } from './random.js';

const PREFIX = 'hmac-sha256$';
const BCRYPT = /^\$2[aby]\$\d\d\$/;

/** Generates, hashes and verifies client secrets. */
export interface ClientSecrets {
  /** A new secret: 32 random bytes, base64url (256 bits; spec §6 `CLIENT_SECRET_LENGTH`). */
  generate(): string;
  /** The value stored in `oauth_clients.client_secret_hash`. */
  hash(secret: string): string;
  /** Constant-time check of a presented secret; Authly's bcrypt hashes are accepted too. */
  verify(secret: string, stored: string): Promise<boolean>;
  /** True for a stored hash that is not this server's own (an imported bcrypt hash): replace it after a successful check. */
  needsUpgrade(stored: string): boolean;
}

/**
 * Server-generated secrets carry 256 bits of entropy, so a password hash (~180 ms for bcrypt-12,
 * DESIGN.md §6) buys nothing: a keyed HMAC-SHA-256 is as strong against a leaked table and costs
 * microseconds per token request. The key comes from the server's master key.
 */
export function createClientSecrets(hmacKey: Buffer, random: RandomSource): ClientSecrets {
  const mac = (secret: string) => createHmac('sha256', hmacKey).update(secret, 'utf8').digest();
  return {
    generate: () => random.token(32),
    hash: (secret) => PREFIX + mac(secret).toString('base64url'),
    async verify(secret, stored) {
      if (stored.startsWith(PREFIX)) {
        const expected = Buffer.from(stored.slice(PREFIX.length), 'base64url');
        const actual = mac(secret);
        return expected.length === actual.length && timingSafeEqual(expected, actual);
      }
      if (BCRYPT.test(stored)) return bcrypt.compare(secret, stored);
      return false;
    },
    needsUpgrade: (stored) => !stored.startsWith(PREFIX),
  };
}
