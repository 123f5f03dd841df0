import type { RandomSource } from '../../crypto/random.js';

/** Spec §5.4: the public routes only require this length. */
export const MIN_PASSWORD_LENGTH = 8;

/** Spec §3.7: the special characters the admin password rule accepts. */
const SPECIAL = /[!@#$%^&*(),.?":{}|<>]/;

/**
 * The admin API's password strength rule (spec §3.7, §5.4), in Authly's order; returns the
 * first failure message, or `undefined` when the password is acceptable.
 */
export function adminPasswordProblem(password: string): string | undefined {
  if (password.length < MIN_PASSWORD_LENGTH) return 'Password must be at least 8 characters long';
  if (!/[A-Z]/.test(password)) return 'Password must contain at least one uppercase letter';
  if (!/[a-z]/.test(password)) return 'Password must contain at least one lowercase letter';
  if (!/\d/.test(password)) return 'Password must contain at least one number';
  if (!SPECIAL.test(password)) return 'Password must contain at least one special character';
  return undefined;
}

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const DIGITS = '0123456789';

/** Character classes of a generated password; each appears at least once. */
export interface PasswordAlphabet {
  length: number;
  special: string;
}

/** Spec §3.7: admin-generated temporary passwords, 12 characters, specials `!@#$%^&*`. */
export const TEMPORARY_PASSWORD: PasswordAlphabet = { length: 12, special: '!@#$%^&*' };
/** Spec §5.3: the bootstrap admin's generated password, 16 characters. */
export const BOOTSTRAP_PASSWORD: PasswordAlphabet = { length: 16, special: '!@#$%^&*()-_=+' };

/** Uniform random integers below `bound` from the injected source (rejection sampling, no modulo bias). */
function randomIndex(random: RandomSource, bound: number): number {
  for (;;) {
    const byte = Buffer.from(random.token(1), 'base64url')[0] ?? 0;
    if (byte < 256 - (256 % bound)) return byte % bound;
  }
}

function pick(random: RandomSource, chars: string): string {
  return chars[randomIndex(random, chars.length)] ?? chars[0]!;
}

/**
 * A random password with at least one upper-case letter, lower-case letter, digit and special
 * character (spec §3.7, §5.3), shuffled so the classes sit at random positions.
 */
export function generatePassword(random: RandomSource, alphabet: PasswordAlphabet): string {
  const all = UPPER + LOWER + DIGITS + alphabet.special;
  const chars = [pick(random, UPPER), pick(random, LOWER), pick(random, DIGITS), pick(random, alphabet.special)];
  while (chars.length < alphabet.length) chars.push(pick(random, all));
  // Fisher–Yates shuffle.
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomIndex(random, i + 1);
    [chars[i], chars[j]] = [chars[j]!, chars[i]!];
  }
  return chars.join('');
}
