/**
 * Keys whose values are secrets or credentials. An audit record names who and what, never the
 * secret itself: a leaked audit table or log must not yield a password hash, client secret,
 * token or authorization code.
 */
const SECRET_KEY = /password|secret|token|^code$|code_verifier|private|hash|cookie|authorization/i;

/** Keys that look like secrets but hold identifiers or flags operators need. */
const ALLOWED = new Set(['token_type', 'token_endpoint_auth_method']);

/** Replaced value, so a reader sees that the field changed without seeing it. */
export const REDACTED = '[Redacted]';

/** True when `item` under `key` would be replaced: a flag, a count or a null says nothing secret (`password_changed: true`). */
function isSecret(key: string, item: unknown): boolean {
  return item !== null && typeof item !== 'boolean' && typeof item !== 'number' && SECRET_KEY.test(key) && !ALLOWED.has(key);
}

/**
 * True when `value` is flat (no nested object, array or date), holds no secret-named key with
 * a value and no NUL: then {@link withoutSecrets} would copy it unchanged, so it is used as it is.
 * Most events' details are such (`token.issued`: grant, algorithm, scope, ...).
 */
function isClean(value: Record<string, unknown>): boolean {
  for (const key in value) {
    const item = value[key];
    if (typeof item === 'object' && item !== null) return false;
    if (typeof item === 'string' && item.includes('\u0000')) return false;
    if (item !== undefined && isSecret(key, item)) return false;
  }
  return true;
}

/**
 * `details` without secrets: the object itself when it is flat and clean (nothing to replace, no
 * copy made), else {@link withoutSecrets}'s copy.
 */
export function detailsWithoutSecrets(details: Record<string, unknown>): Record<string, unknown> {
  return isClean(details) ? details : (withoutSecrets(details) as Record<string, unknown>);
}

/**
 * A deep copy of `value` with every secret-named key's value replaced by {@link REDACTED}.
 * Arrays and nested objects are walked; `Date`s become ISO strings (JSON's own rule); NUL
 * characters are dropped from strings.
 */
export function withoutSecrets(value: unknown, depth = 0): unknown {
  if (value instanceof Date) return value.toISOString();
  // PostgreSQL refuses NUL in JSONB; request-supplied names (a typed username) may carry one.
  if (typeof value === 'string') return value.replaceAll('\u0000', '');
  if (value === null || typeof value !== 'object' || depth > 8) return value;
  if (Array.isArray(value)) return value.map((item) => withoutSecrets(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (item === undefined) continue;
    // Anything else under a secret-named key goes.
    out[key] = isSecret(key, item) ? REDACTED : withoutSecrets(item, depth + 1);
  }
  return out;
}
