import { createCipheriv, createDecipheriv } from 'node:crypto';
import type { RandomSource } from './random.js';

const VERSION = 'v1';
/** NIST SP 800-38D §8.2: 96-bit IVs, random per message. */
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A stored private key could not be decrypted: wrong master key, or the row was tampered with. */
export class KeyDecryptionError extends Error {
  override readonly name = 'KeyDecryptionError';
  /** The key whose private part failed to decrypt (never the key material). */
  readonly kid: string;

  constructor(kid: string, reason: string, options?: ErrorOptions) {
    super(`cannot decrypt the private part of signing key ${kid}: ${reason}`, options);
    this.kid = kid;
  }
}

/** Encrypts and decrypts private key material at rest (`oidc_jwks_keys.private_key_data`). */
export interface KeyCipher {
  /** `v1.<iv>.<ciphertext>.<tag>`, each part base64url. */
  seal(kid: string, plaintext: string): string;
  /** @throws KeyDecryptionError naming `kid`. */
  open(kid: string, sealed: string): string;
}

/**
 * AES-256-GCM with the `kid` as additional authenticated data: a ciphertext copied onto another
 * row fails authentication, so an attacker with write access to the table cannot make us sign
 * with a key of their choosing under a trusted `kid`.
 * @param key 32 bytes, e.g. `deriveKey(master, 'signing-key-encryption')`.
 */
export function createKeyCipher(key: Buffer, random: RandomSource): KeyCipher {
  if (key.length !== 32) throw new TypeError('the key-encryption key must be 32 bytes (AES-256)');
  return {
    seal(kid, plaintext) {
      const iv = Buffer.from(random.token(IV_BYTES), 'base64url');
      const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(Buffer.from(kid, 'utf8'));
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return [VERSION, ...[iv, ciphertext, cipher.getAuthTag()].map((part) => part.toString('base64url'))].join('.');
    },
    open(kid, sealed) {
      const [version, ...encoded] = sealed.split('.');
      if (version !== VERSION || encoded.length !== 3) throw new KeyDecryptionError(kid, `not a ${VERSION} ciphertext`);
      const [iv, ciphertext, tag] = encoded.map((part) => Buffer.from(part, 'base64url')) as [Buffer, Buffer, Buffer];
      if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new KeyDecryptionError(kid, 'malformed ciphertext');
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
        decipher.setAAD(Buffer.from(kid, 'utf8'));
        decipher.setAuthTag(tag);
        return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
      } catch (error) {
        throw new KeyDecryptionError(kid, 'authentication failed (another master key, or altered data)', { cause: error });
      }
    },
  };
}
