import type { User } from '../../domain/user.js';
import type { Repositories } from '../../repositories/repositories.js';

/**
 * Names no user may show as `preferred_username` (OIDC Core §5.1: relying parties display it),
 * besides the configured admin name and every other account's names: a user calling themselves
 * `admin` would impersonate the operator wherever the claim is shown.
 */
export const RESERVED_NAMES: readonly string[] = ['admin', 'administrator', 'root', 'system'];

/** The form two names are compared in: NFKC (so `ａｄｍｉｎ` is `admin`), then lower case. */
export function foldName(name: string): string {
  return name.normalize('NFKC').toLowerCase();
}

/**
 * Why `name` may not be the user's `preferred_username`, or `undefined` when it may. It must not
 * fold to a reserved name (unless it is the user's own username), nor equal, ignoring case,
 * another account's `username` or `preferred_username`. The database compares with its own
 * `lower()`, so the NFKC form is asked in its lower- and upper-case spellings too (SQLite folds
 * only ASCII; those cover the other letters).
 */
export async function preferredUsernameProblem(
  name: string,
  user: User,
  deps: { repos: Repositories; reservedNames: readonly string[] },
): Promise<string | undefined> {
  const folded = foldName(name);
  const reserved = new Set([...RESERVED_NAMES, ...deps.reservedNames].map(foldName));
  if (reserved.has(folded) && folded !== foldName(user.username)) return 'preferred_username is reserved';
  const nfkc = name.normalize('NFKC');
  const spellings = [...new Set([name, nfkc, folded, nfkc.toUpperCase()])];
  const taken = await deps.repos.users.findByDisplayNames(spellings, user.id, 1);
  return taken.length > 0 ? 'preferred_username is already used by another account' : undefined;
}
