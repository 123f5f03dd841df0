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
    // A flag, a count or a null says nothing secret (`password_changed: true`); anything else under such a key goes.
    const secret = SECRET_KEY.test(key) && !ALLOWED.has(key) && item !== null && typeof item !== 'boolean' && typeof item !== 'number';
    out[key] = secret ? REDACTED : withoutSecrets(item, depth + 1);
  }
  return out;
}
