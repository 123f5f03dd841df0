import { InvalidScope } from './errors.js';

/** RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ). */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/**
 * Bounds of a `scope` parameter, checked before any query: each name becomes a bound parameter
 * of an `IN (…)` list, so an unbounded list costs memory and can exceed the database's parameter
 * limit. 50 names is far above any real request (the eight admin scopes plus the OIDC ones);
 * 255 characters is the `oauth_scopes.scope_name` column, so no existing scope is refused.
 */
export const SCOPE_LIMITS = { maxNames: 50, maxNameLength: 255, maxLength: 2048 } as const;

/** Splits a space-delimited scope string into unique names, in first-seen order. */
export function parseScope(scope: string | null | undefined): string[] {
  if (!scope) return [];
  return [...new Set(scope.split(/\s+/).filter((s) => s.length > 0))];
}

/** Joins names back into a scope string; `null` for none. */
export function formatScope(names: readonly string[]): string | null {
  return names.length > 0 ? names.join(' ') : null;
}

/** True when every name is a valid RFC 6749 §3.3 scope-token. */
export function isWellFormedScope(names: readonly string[]): boolean {
  return names.every((n) => SCOPE_TOKEN.test(n));
}

/** Why a scope string exceeds {@link SCOPE_LIMITS}, or `undefined` when it does not. */
export function scopeSizeProblem(scope: string | null | undefined): string | undefined {
  if (!scope) return undefined;
  const { maxNames, maxNameLength, maxLength } = SCOPE_LIMITS;
  if (scope.length > maxLength) return `scope is too long (at most ${maxLength} characters)`;
  const names = parseScope(scope);
  if (names.length > maxNames) return `scope has too many names (at most ${maxNames})`;
  if (names.some((n) => n.length > maxNameLength)) return `scope contains a name longer than ${maxNameLength} characters`;
  return undefined;
}

/**
 * A client-supplied `scope` parameter as names, refused with `invalid_scope` when it exceeds
 * {@link SCOPE_LIMITS} or holds a name that is not an RFC 6749 §3.3 scope-token. Call it before
 * the names reach storage.
 */
export function parseRequestedScope(scope: string | null | undefined): string[] {
  const problem = scopeSizeProblem(scope);
  if (problem) throw new InvalidScope(problem);
  const names = parseScope(scope);
  if (!isWellFormedScope(names)) throw new InvalidScope('scope contains invalid characters');
  return names;
}

/** RFC 6749 §6: a refreshed scope "MUST NOT include any scope not originally granted". */
export function isSubsetOf(requested: readonly string[], granted: readonly string[]): boolean {
  const allowed = new Set(granted);
  return requested.every((n) => allowed.has(n));
}

/**
 * The scopes that carry administrative power: Authly's `admin:*` scopes and its seeded `admin`
 * scope. They reach a client only when it is registered for them.
 */
export function isAdminScope(name: string): boolean {
  return name === 'admin' || name.startsWith('admin:');
}
