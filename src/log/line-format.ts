/**
 * A tiny human-readable formatter for `logging.json: false`: `time LEVEL msg key=value ...`.
 * pino-pretty is not a dependency; this covers the terminal use case without it.
 */

const LEVEL_NAMES: Readonly<Record<number, string>> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};

/** Fields every pino line has, printed in fixed places or not at all. */
const OMITTED = new Set(['time', 'level', 'msg', 'pid', 'hostname']);

/** Formats one pino JSON line; a line that is not JSON is passed through. */
export function formatLine(json: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const time = typeof record.time === 'number' ? new Date(record.time).toISOString() : '-';
  const level = LEVEL_NAMES[Number(record.level)] ?? String(record.level);
  const parts = [time, level.padEnd(5), String(record.msg ?? '')];
  for (const [key, value] of Object.entries(record)) {
    if (!OMITTED.has(key)) parts.push(`${key}=${renderValue(value)}`);
  }
  return `${parts.join(' ')}\n`;
}

function renderValue(value: unknown): string {
  if (typeof value === 'string') return /\s|=/.test(value) ? JSON.stringify(value) : value;
  if (value !== null && typeof value === 'object' && 'message' in value) {
    // An error: its type and message are the useful part on a terminal.
    const err = value as { type?: unknown; message?: unknown };
    return JSON.stringify(`${String(err.type ?? 'Error')}: ${String(err.message)}`);
  }
  return JSON.stringify(value);
}
