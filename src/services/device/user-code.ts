import type { RandomSource } from '../../crypto/random.js';

/**
 * RFC 8628 §6.1: 20 consonants (no vowels, so no words are spelled by accident; no look-alike
 * digits), case-insensitive. 8 of them give 20^8 ≈ 2^34.6 codes, enough for a short-lived code
 * whose entry is rate-limited (§5.1).
 */
export const USER_CODE_ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ';
/** Characters in a user code, shown as two groups of four. */
export const USER_CODE_LENGTH = 8;

/** A new user code, unformatted (8 letters); unbiased by rejection sampling of random bytes. */
export function generateUserCode(random: RandomSource): string {
  let code = '';
  while (code.length < USER_CODE_LENGTH) {
    for (const byte of Buffer.from(random.hex(16), 'hex')) {
      // 240 = 12 × 20: bytes above it would favour the first letters.
      if (byte >= 240 || code.length === USER_CODE_LENGTH) continue;
      code += USER_CODE_ALPHABET[byte % USER_CODE_ALPHABET.length];
    }
  }
  return code;
}

/** `BCDFGHJK` → `BCDF-GHJK`, as the user reads it (RFC 8628 §6.1). */
export function formatUserCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/**
 * What the user typed, as the stored form: upper case, separators and spaces dropped. `undefined`
 * when it cannot be a user code, so no lookup is spent on it.
 */
export function normalizeUserCode(input: string | undefined): string | undefined {
  if (input === undefined || input.length > 64) return undefined;
  const code = input.toUpperCase().replace(/[\s-]/g, '');
  if (code.length !== USER_CODE_LENGTH) return undefined;
  for (const c of code) if (!USER_CODE_ALPHABET.includes(c)) return undefined;
  return code;
}
