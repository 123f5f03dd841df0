/**
 * Timestamps travel as ISO-8601 UTC text. PostgreSQL keeps microseconds, SQLite (as this
 * project writes it: `Date.prototype.toISOString()`) milliseconds; {@link normaliseTimestamp}
 * writes either precision from any of the shapes the engines produce.
 */

// 2025-01-02T03:04:05.678901Z, 2025-01-02 03:04:05+00, 2025-01-02 03:04:05.6+05:30, 2025-01-02T03:04:05
const TIMESTAMP = /^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:\.(\d+))?\s*(Z|[+-]\d\d(?::?\d\d)?)?$/i;

/** Sub-second digits kept: 3 for SQLite's milliseconds, 6 for PostgreSQL's microseconds. */
export type TimestampDigits = 3 | 6;

function offsetMinutes(zone: string | undefined): number {
  if (zone === undefined || zone.toUpperCase() === 'Z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || '0'));
}

/**
 * `YYYY-MM-DDTHH:MM:SS.fffZ` (3 digits) or `.ffffffZ` (6), in UTC. Text without a zone is UTC, as
 * SQLite's `CURRENT_TIMESTAMP` is. Extra digits are cut, never rounded, so a value read back
 * from SQLite compares equal to the PostgreSQL value it was written from. Text that is not a
 * timestamp (PostgreSQL's `infinity`, say) is returned unchanged.
 */
export function normaliseTimestamp(text: string, digits: TimestampDigits): string {
  // The common case, already in the wanted shape (SQLite's own values; PostgreSQL's, re-read).
  if (text.length === 21 + digits && text.charCodeAt(10) === 84 /* T */ && text.endsWith('Z') && text.charCodeAt(19) === 46 /* . */) return text;
  const match = TIMESTAMP.exec(text.trim());
  if (match === null) return text;
  const [, year, month, day, hour, minute, second, fraction = '', zone] = match;
  const utc =
    Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second)) -
    offsetMinutes(zone) * 60_000;
  const date = new Date(utc);
  if (Number.isNaN(date.getTime())) return text;
  // Date.UTC maps years 0–99 to 1900–1999; setUTCFullYear puts them back.
  date.setUTCFullYear(date.getUTCFullYear() - (Number(year) < 100 ? 1900 : 0));
  const whole = date.toISOString().slice(0, 19);
  return `${whole}.${fraction.padEnd(6, '0').slice(0, digits)}Z`;
}
