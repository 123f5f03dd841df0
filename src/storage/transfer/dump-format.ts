import { TransferError } from './errors.js';
import { VALUE_KINDS } from './kinds.js';
import type { ValueKind } from './kinds.js';
import type { SqlFlavour } from '../kysely/codec.js';
import type { SchemaOrigin } from './version.js';

/*
 * An Authly dump is JSON Lines (https://jsonlines.org), gzip-compressed when its name ends in .gz:
 *
 *   {"format":"authly-dump","format_version":1,"schema_version":"…","origin":"authly","dialect":"sqlite",
 *    "exported_at":"…","tables":[{"name":"users","columns":[["id","uuid"],…],"rows":2}, …]}
 *   {"table":"users"}
 *   ["0b6f…","alice",…]                one JSON array per row, in the header's column order
 *   …
 *   {"end":{"users":{"rows":2,"sha256":"…"},…}}
 *
 * Tables come parents first. The closing line repeats each table's row count and the SHA-256 of
 * its row lines (each with its newline), so a truncated or altered file is refused before the
 * import commits.
 */

/** The dump format this build writes; a file with a higher number is refused. */
export const DUMP_FORMAT_VERSION = 1;
/** The header's `format` value. */
export const DUMP_FORMAT = 'authly-dump';

/** One table in a dump header. */
export interface DumpTable {
  name: string;
  /** `[name, kind]` pairs in row order. */
  columns: [string, ValueKind][];
  rows: number;
}

/** The first line of a dump. */
export interface DumpHeader {
  format: typeof DUMP_FORMAT;
  format_version: number;
  /** The source's last applied migration (the baseline for a Python Authly database). */
  schema_version: string;
  origin: SchemaOrigin;
  dialect: SqlFlavour;
  exported_at: string;
  tables: DumpTable[];
}

/** The last line of a dump. */
export interface DumpTrailer {
  end: Record<string, { rows: number; sha256: string }>;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function validTable(value: unknown): value is DumpTable {
  return (
    isObject(value) &&
    typeof value.name === 'string' &&
    typeof value.rows === 'number' &&
    Array.isArray(value.columns) &&
    value.columns.every(
      (column) => Array.isArray(column) && typeof column[0] === 'string' && VALUE_KINDS.includes(column[1] as ValueKind),
    )
  );
}

/**
 * Reads and checks a header line.
 * @throws TransferError when the line is not an Authly dump header, or a newer format's.
 */
export function parseHeader(line: string | undefined, file: string): DumpHeader {
  let value: unknown;
  try {
    value = line === undefined ? undefined : JSON.parse(line);
  } catch {
    value = undefined;
  }
  if (!isObject(value) || value.format !== DUMP_FORMAT) throw new TransferError(`${file} is not an authly dump (its first line is not a dump header)`);
  if (typeof value.format_version !== 'number' || value.format_version > DUMP_FORMAT_VERSION) {
    throw new TransferError(`${file} is in dump format ${String(value.format_version)}, newer than this build of authly reads (${DUMP_FORMAT_VERSION})`);
  }
  const valid =
    typeof value.schema_version === 'string' &&
    (value.origin === 'authly' || value.origin === 'authly-python') &&
    (value.dialect === 'sqlite' || value.dialect === 'postgresql') &&
    Array.isArray(value.tables) &&
    value.tables.every(validTable);
  if (!valid) throw new TransferError(`${file} has a damaged header`);
  return value as unknown as DumpHeader;
}
