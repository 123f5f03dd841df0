/**
 * Preprocessors that let one schema accept both YAML values (already typed) and environment or
 * flag values (always strings). A value that does not look like the target type is passed
 * through unchanged, so the schema reports it as-is ("expected number, got "abc"").
 */

const NUMERIC = /^[-+]?\d+(\.\d+)?$/;
const TRUE_WORDS = new Set(['true', '1', 'yes', 'on']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'off']);

/** `"8000"` → `8000`; anything else unchanged. */
export function toNumber(value: unknown): unknown {
  return typeof value === 'string' && NUMERIC.test(value.trim()) ? Number(value) : value;
}

/** `"true"`/`"1"`/`"yes"`/`"on"` → `true`, their opposites → `false` (case-insensitive). */
export function toBoolean(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const word = value.trim().toLowerCase();
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  return value;
}

/** An empty string means "unset" for nullable settings (`AUTHLY_SERVER__ISSUER=`). */
export function emptyToNull(value: unknown): unknown {
  return value === '' ? null : value;
}

/** Upper-cases strings, for SQLite PRAGMA keywords (`wal` → `WAL`). */
export function toUpper(value: unknown): unknown {
  return typeof value === 'string' ? value.trim().toUpperCase() : value;
}

/** Python logging names Authly users already set (`LOG_LEVEL=INFO`) → pino levels. */
const LEVEL_ALIASES: Record<string, string> = { warning: 'warn', critical: 'fatal' };

/** `INFO` → `info`, `WARNING` → `warn`, `CRITICAL` → `fatal`. */
export function toLogLevel(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const level = value.trim().toLowerCase();
  return LEVEL_ALIASES[level] ?? level;
}
