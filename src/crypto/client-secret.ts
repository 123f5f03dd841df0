import { createHmac, timingSafeEqual } from 'node:crypto';
import bcrypt from 'bcryptjs';
import type { RandomSource } from './random.js';

const PREFIX = 'hmac-sha256$';
const BCRYPT = /^\$2[aby]\$\d\d\$/;

/** Generates, hashes and verifies client secrets. */
export interface ClientSecrets {
  /** A new secret: 32 random bytes, base64url (256 bits, as Authly's `CLIENT_SECRET_LENGTH`). */
  generate(): string;
  /** The value stored in `oauth_clients.client_secret_hash`. */
  hash(secret: string): string;
  /**
   * Constant-time check of a presented secret; Authly's bcrypt hashes are accepted too, checked
   * with bcryptjs's asynchronous API, which yields to the event loop between rounds.
   */
  verify(secret: string, stored: string): Promise<boolean>;
  /**
   * True for a stored form that is slow to check (Authly's bcrypt, ~1 s at cost 12 in pure
   * JavaScript): after a successful check it should be replaced by `hash(secret)`.
   */
  needsRehash(stored: string): boolean;
}

/**
 * Server-generated secrets carry 256 bits of entropy, so a password hash (~180 ms for bcrypt-12)
 * buys nothing: a keyed HMAC-SHA-256 is as strong against a leaked table and costs
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
    needsRehash: (stored) => !stored.startsWith(PREFIX) && BCRYPT.test(stored),
  };
}
