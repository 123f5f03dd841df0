/** RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ). */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

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

/** RFC 6749 §6: a refreshed scope "MUST NOT include any scope not originally granted". */
export function isSubsetOf(requested: readonly string[], granted: readonly string[]): boolean {
  const allowed = new Set(granted);
  return requested.every((n) => allowed.has(n));
}
