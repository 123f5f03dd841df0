import type { RandomSource } from '../../crypto/random.js';

/** The public routes only require this length. */
export const MIN_PASSWORD_LENGTH = 8;

/**
 * The one definition of a "special character" for the admin password rule and for every
 * generated password (Authly's set). `-`, `_`, `=` and `+` are not in it.
 */
export const PASSWORD_SPECIAL_CHARACTERS = '!@#$%^&*(),.?":{}|<>';

/**
 * The admin API's password strength rule, in Authly's order; returns the first failure message,
 * or `undefined` when the password is acceptable. The special-character message names the set.
 */
export function adminPasswordProblem(password: string): string | undefined {
  if (password.length < MIN_PASSWORD_LENGTH) return 'Password must be at least 8 characters long';
  if (!/[A-Z]/.test(password)) return 'Password must contain at least one uppercase letter';
  if (!/[a-z]/.test(password)) return 'Password must contain at least one lowercase letter';
  if (!/\d/.test(password)) return 'Password must contain at least one number';
  if (![...password].some((c) => PASSWORD_SPECIAL_CHARACTERS.includes(c))) {
    return `Password must contain at least one special character (one of ${PASSWORD_SPECIAL_CHARACTERS})`;
  }
  return undefined;
}

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const DIGITS = '0123456789';

/**
 * Character classes of a generated password; each appears at least once. `special` is a subset
 * of {@link PASSWORD_SPECIAL_CHARACTERS}, so every generated password passes the rule.
 */
export interface PasswordAlphabet {
  length: number;
  special: string;
}

/**
 * Specials that survive a shell, a YAML file and a copy from a terminal unquoted-safe enough:
 * no quotes, braces, `|`, `<` or `>`.
 */
const GENERATED_SPECIALS = '!@#$%^&*';

/** Admin-generated temporary passwords, 12 characters (as Authly). */
export const TEMPORARY_PASSWORD: PasswordAlphabet = { length: 12, special: GENERATED_SPECIALS };
/** The bootstrap admin's generated password and the offline reset's, 16 characters. */
export const BOOTSTRAP_PASSWORD: PasswordAlphabet = { length: 16, special: GENERATED_SPECIALS };

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
 * character, shuffled so the classes sit at random positions.
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
