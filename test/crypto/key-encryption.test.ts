import { describe, expect, it } from 'vitest';
import { createKeyCipher, KeyDecryptionError } from '../../src/crypto/key-encryption.js';
import { cryptoRandom } from '../../src/crypto/random.js';

const cipher = createKeyCipher(Buffer.alloc(32, 1), cryptoRandom);
const SECRET = '{"kty":"EC","d":"private-part"}';

describe('key encryption (AES-256-GCM)', () => {
  it('round-trips in the v1.<iv>.<ciphertext>.<tag> format without the plaintext showing', () => {
    const sealed = cipher.seal('kid-1', SECRET);
    expect(sealed).toMatch(/^v1\.[\w-]{16}\.[\w-]+\.[\w-]{22}$/);
    expect(sealed).not.toContain('private-part');
    expect(cipher.open('kid-1', sealed)).toBe(SECRET);
    expect(cipher.seal('kid-1', SECRET)).not.toBe(sealed); // a fresh IV each time
  });

  it('refuses a ciphertext moved to another kid (the kid is the AAD)', () => {
    const sealed = cipher.seal('kid-1', SECRET);
    expect(() => cipher.open('kid-2', sealed)).toThrow(KeyDecryptionError);
    expect(() => cipher.open('kid-2', sealed)).toThrow(/signing key kid-2/);
  });

  it('fails with a typed error naming the kid, never the key, under another key', () => {
    const sealed = cipher.seal('kid-1', SECRET);
    const other = createKeyCipher(Buffer.alloc(32, 2), cryptoRandom);
    let caught: unknown;
    try {
      other.open('kid-1', sealed);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(KeyDecryptionError);
    expect(caught).toMatchObject({ kid: 'kid-1' });
    expect((caught as Error).message).not.toContain(Buffer.alloc(32, 2).toString('base64url'));
  });

  it('refuses altered or malformed ciphertexts', () => {
    const [version, iv, body, tag] = cipher.seal('kid-1', SECRET).split('.') as [string, string, string, string];
    const flipped = Buffer.from(body, 'base64url');
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    expect(() => cipher.open('kid-1', [version, iv, flipped.toString('base64url'), tag].join('.'))).toThrow(KeyDecryptionError);
    expect(() => cipher.open('kid-1', 'v2.a.b.c')).toThrow(KeyDecryptionError);
    expect(() => cipher.open('kid-1', 'not-a-ciphertext')).toThrow(KeyDecryptionError);
  });
});
