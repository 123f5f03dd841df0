import { ConflictError, MissingReferenceError } from '../../repositories/errors.js';
import type { DbArray, DbBool, DbJson, DbTime } from './database.js';

/** Which SQL engine a query runs on; queries branch on this only inside codecs. */
export type SqlFlavour = 'sqlite' | 'postgresql';

/**
 * Converts domain values to and from what one engine stores: PostgreSQL keeps
 * Authly's native types, SQLite stores text and integers.
 */
export interface Codec {
  readonly flavour: SqlFlavour;
  bool(value: boolean): DbBool;
  time(value: Date): DbTime;
  array(value: readonly string[]): DbArray;
  json(value: unknown): DbJson;
  readBool(value: unknown): boolean | null;
  readTime(value: unknown): Date | null;
  readArray(value: unknown): string[];
  readJson(value: unknown): unknown;
  /** Maps a driver error to a typed repository error where one applies; otherwise returns it. */
  translateError(err: unknown): unknown;
}

// SQLite text without a zone (e.g. CURRENT_TIMESTAMP's 'YYYY-MM-DD HH:MM:SS') is UTC.
const HAS_ZONE = /(Z|[+-]\d\d:?\d\d)$/;

function parseTime(value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value;
  const text = String(value);
  return new Date(HAS_ZONE.test(text) ? text : `${text.replace(' ', 'T')}Z`);
}

function parseJsonText(value: unknown): unknown {
  return typeof value === 'string' ? (JSON.parse(value) as unknown) : value;
}

interface DriverError {
  code?: string;
  constraint?: string;
  message?: string;
}

/** SQLite: booleans 0/1, ISO-8601 UTC text, JSON text for arrays and objects. */
export const sqliteCodec: Codec = {
  flavour: 'sqlite',
  bool: (v) => (v ? 1 : 0),
  time: (v) => v.toISOString(),
  array: (v) => JSON.stringify(v),
  json: (v) => (v === null || v === undefined ? null : JSON.stringify(v)),
  readBool: (v) => (v === null || v === undefined ? null : Boolean(v)),
  readTime: parseTime,
  readArray: (v) => (v === null || v === undefined ? [] : (parseJsonText(v) as string[])),
  readJson: (v) => (v === null || v === undefined ? null : parseJsonText(v)),
  translateError(err) {
    const e = err as DriverError;
    if (e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
      // "UNIQUE constraint failed: users.username" → "users.username"
      const constraint = e.message?.split(': ')[1];
      return new ConflictError(`already exists (${constraint ?? 'unique constraint'})`, constraint, { cause: err });
    }
    if (e?.code === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
      return new MissingReferenceError('a referenced row does not exist', { cause: err });
    }
    return err;
  },
};

/** PostgreSQL: native BOOLEAN, TIMESTAMPTZ, TEXT[] and JSONB. */
export const postgresCodec: Codec = {
  flavour: 'postgresql',
  bool: (v) => v,
  time: (v) => v,
  // pg serialises a JS array as a TEXT[] literal with correct quoting.
  array: (v) => [...v],
  // pg would turn a JS array into a PostgreSQL array, not JSON: always send JSON text for JSONB.
  json: (v) => (v === null || v === undefined ? null : JSON.stringify(v)),
  readBool: (v) => (v === null || v === undefined ? null : Boolean(v)),
  readTime: parseTime,
  readArray: (v) => (v === null || v === undefined ? [] : (v as string[])),
  readJson: (v) => (v === null || v === undefined ? null : v),
  translateError(err) {
    const e = err as DriverError;
    // https://www.postgresql.org/docs/current/errcodes-appendix.html
    if (e?.code === '23505') {
      return new ConflictError(`already exists (${e.constraint ?? 'unique constraint'})`, e.constraint, { cause: err });
    }
    if (e?.code === '23503') {
      return new MissingReferenceError('a referenced row does not exist', { cause: err });
    }
    return err;
  },
};
