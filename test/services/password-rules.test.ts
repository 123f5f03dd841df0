import { describe, expect, it } from 'vitest';
import { cryptoRandom } from '../../src/crypto/random.js';
import {
  adminPasswordProblem,
  BOOTSTRAP_PASSWORD,
  generatePassword,
  PASSWORD_SPECIAL_CHARACTERS,
  TEMPORARY_PASSWORD,
} from '../../src/services/users/password-rules.js';

describe('password special characters: one definition for the rule and the generators', () => {
  it('names the accepted characters in the message, and "-" is not one of them', () => {
    expect(adminPasswordProblem('Abcdefg1-')).toBe(`Password must contain at least one special character (one of ${PASSWORD_SPECIAL_CHARACTERS})`);
    expect(adminPasswordProblem('Abcdefg1|')).toBeUndefined();
  });

  it('generates only passwords the rule accepts', () => {
    for (const alphabet of [BOOTSTRAP_PASSWORD, TEMPORARY_PASSWORD]) {
      for (const special of alphabet.special) expect(PASSWORD_SPECIAL_CHARACTERS).toContain(special);
      for (let i = 0; i < 200; i++) {
        const password = generatePassword(cryptoRandom, alphabet);
        expect(password).toHaveLength(alphabet.length);
        expect(adminPasswordProblem(password), password).toBeUndefined();
      }
    }
  });
});
