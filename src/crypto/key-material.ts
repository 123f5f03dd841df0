import { KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, importJWK } from 'jose';
import type { CryptoKey, JWK } from 'jose';
import type { SigningKey } from '../domain/signing-key.js';
import { publicMembers } from './generate-key.js';
import { KeyDecryptionError } from './key-encryption.js';
import type { KeyCipher } from './key-encryption.js';

/** A stored key, decrypted, checked and imported once per process. */
export interface KeyMaterial {
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  /** The private key for node:crypto, which signs synchronously (see compact-jws.ts). */
  signingKey: KeyObject;
}

/**
 * Imported keys by `kid`. Importing costs far more than signing for RSA, so each key is decrypted
 * and imported once (signing is the hot path). A `kid` is an RFC 7638 thumbprint,
 * so its key can never change, and cached entries never go stale.
 */
export class KeyMaterialCache {
  readonly #cipher: KeyCipher;
  readonly #entries = new Map<string, Promise<KeyMaterial>>();

  constructor(cipher: KeyCipher) {
    this.#cipher = cipher;
  }

  /**
   * The imported key pair of a stored key.
   * @throws KeyDecryptionError when the private part is missing, does not decrypt, or does not
   *   belong to the row's `kid`.
   */
  get(key: SigningKey): Promise<KeyMaterial> {
    const cached = this.#entries.get(key.kid);
    if (cached !== undefined) return cached;
    const entry = this.#load(key);
    this.#entries.set(key.kid, entry);
    // A failure is not cached: the next call tries again (and throws again, with its own stack).
    entry.catch(() => {
      if (this.#entries.get(key.kid) === entry) this.#entries.delete(key.kid);
    });
    return entry;
  }

  /** Drops entries whose key is no longer stored. */
  retainOnly(kids: ReadonlySet<string>): void {
    for (const kid of this.#entries.keys()) if (!kids.has(kid)) this.#entries.delete(kid);
  }

  async #load(key: SigningKey): Promise<KeyMaterial> {
    // Only keys written with our master key are trusted: a row inserted by someone with write
    // access to the database but without the master key neither verifies nor enters JWKS.
    if (key.privateKeyData === null) throw new KeyDecryptionError(key.kid, 'no private key stored');
    const privateJwk = parsePrivateJwk(key.kid, this.#cipher.open(key.kid, key.privateKeyData));
    // RFC 7638: the kid is the thumbprint of the key; both the decrypted key and the published
    // `key_data` must match it, so neither can be swapped under a trusted kid.
    const [fromPrivate, fromPublic] = await Promise.all([
      calculateJwkThumbprint(privateJwk, 'sha256'),
      calculateJwkThumbprint(key.keyData as JWK, 'sha256'),
    ]);
    if (fromPrivate !== key.kid || fromPublic !== key.kid) {
      throw new KeyDecryptionError(key.kid, 'the stored key does not match its kid (RFC 7638 thumbprint)');
    }
    const [privateKey, publicKey] = await Promise.all([
      importJWK(privateJwk, key.algorithm),
      importJWK(publicMembers(privateJwk) as JWK, key.algorithm),
    ]);
    if (privateKey instanceof Uint8Array || publicKey instanceof Uint8Array) {
      throw new KeyDecryptionError(key.kid, 'a symmetric key is not a signing key');
    }
    return { privateKey, publicKey, signingKey: KeyObject.from(privateKey) };
  }
}

function parsePrivateJwk(kid: string, json: string): JWK {
  try {
    const jwk: unknown = JSON.parse(json);
    if (jwk !== null && typeof jwk === 'object' && typeof (jwk as JWK).kty === 'string') return jwk as JWK;
  } catch {
    // fall through: the message below names the kid, never the content
  }
  throw new KeyDecryptionError(kid, 'the decrypted private key is not a JWK');
}
