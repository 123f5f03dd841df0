import type { SqlFlavour } from '../kysely/codec.js';
import type { ValueKind } from './kinds.js';
import { normaliseTimestamp } from './timestamps.js';
import type { TimestampDigits } from './timestamps.js';

/**
 * Values between a source and a target ("wire values"): what the source's driver returned,
 * lightly decoded so that both engines and the dump file agree — booleans as booleans, arrays
 * as arrays, JSON as its text, timestamps as ISO-8601 UTC text, bytes as base64 in a dump.
 */
export type WireRow = unknown[];

/** Accepts every spelling of a boolean the engines and a dump use. */
export function toBool(value: unknown): boolean {
  if (typeof value === 'string') return value === '1' || value === 't' || value.toLowerCase() === 'true';
  return Boolean(value);
}

function toText(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  return typeof value === 'string' ? value : String(value);
}

function toArray(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  const parsed: unknown = JSON.parse(toText(value));
  if (!Array.isArray(parsed)) throw new TypeError(`expected a JSON array, got ${toText(value).slice(0, 40)}`);
  return parsed;
}

function toJsonText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function toBuffer(value: unknown): Buffer {
  return Buffer.isBuffer(value) ? value : Buffer.from(toText(value), 'base64');
}

/**
 * A wire value as a target engine stores it, by the column's shared kind: SQLite wants 0/1,
 * JSON text and millisecond ISO text; PostgreSQL takes booleans, arrays and JSON text, and
 * parses timestamps itself (the session runs in UTC, so zone-less text is UTC).
 */
export function encodeForTarget(dialect: SqlFlavour, kind: ValueKind, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (kind) {
    case 'bool': {
      const flag = toBool(value);
      return dialect === 'sqlite' ? (flag ? 1 : 0) : flag;
    }
    case 'time':
      return dialect === 'sqlite' ? normaliseTimestamp(toText(value), 3) : toText(value);
    case 'json':
      return toJsonText(value);
    case 'array':
      return dialect === 'sqlite' ? JSON.stringify(toArray(value)) : toArray(value);
    case 'integer':
    case 'number':
      return typeof value === 'string' && value !== '' && Number.isSafeInteger(Number(value)) ? Number(value) : value;
    case 'bytes':
      return toBuffer(value);
    default:
      return value instanceof Date ? value.toISOString() : value;
  }
}

/**
 * A wire value as a dump line carries it: bytes as base64 (JSON has no bytes), everything else
 * as the wire value, which is already JSON-shaped.
 */
export function encodeForDump(kind: ValueKind, value: unknown): unknown {
  if (kind === 'bytes' && Buffer.isBuffer(value)) return value.toString('base64');
  return value === undefined ? null : value;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key]);
  return out;
}

/**
 * The form both sides of `authly db verify` hash: UUIDs in lower case, JSON with sorted keys,
 * timestamps in UTC at the precision both sides keep, booleans and numbers as JSON literals.
 */
export function normaliseForComparison(kind: ValueKind, value: unknown, digits: TimestampDigits): unknown {
  if (value === null || value === undefined) return null;
  switch (kind) {
    case 'bool':
      return toBool(value);
    case 'time':
      return normaliseTimestamp(toText(value), digits);
    case 'json':
      return sortKeys(typeof value === 'string' ? JSON.parse(value) : value);
    case 'array':
      return toArray(value).map((element) => (element === null ? null : toText(element)));
    case 'integer':
    case 'number':
      return Number(value);
    case 'uuid':
      return toText(value).toLowerCase();
    case 'bytes':
      return toBuffer(value).toString('base64');
    default:
      return Buffer.isBuffer(value) ? value.toString('base64') : toText(value);
  }
}
