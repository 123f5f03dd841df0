import type { Codec } from './codec.js';

/** How a domain field is stored. */
export type ColumnKind = 'plain' | 'bool' | 'time' | 'array' | 'json';

/** Domain field → [column, kind], for every field of a domain type. */
export type FieldMap<D> = { readonly [K in keyof D]-?: readonly [column: string, kind: ColumnKind] };

function encodeValue(codec: Codec, kind: ColumnKind, value: unknown): unknown {
  if (value === null) return kind === 'array' ? codec.array([]) : null;
  switch (kind) {
    case 'plain':
      return value;
    case 'bool':
      return codec.bool(value as boolean);
    case 'time':
      return codec.time(value as Date);
    case 'array':
      return codec.array(value as string[]);
    case 'json':
      return codec.json(value);
  }
}

function decodeValue(codec: Codec, kind: ColumnKind, value: unknown): unknown {
  switch (kind) {
    case 'plain':
      return value ?? null;
    case 'bool':
      return codec.readBool(value);
    case 'time':
      return codec.readTime(value);
    case 'array':
      return codec.readArray(value);
    case 'json':
      return codec.readJson(value);
  }
}

/**
 * Turns the defined fields of a (partial) domain object into a row for insert or update.
 * `undefined` fields are left out, so an update touches only what the patch names.
 */
export function encodeRow<D>(map: FieldMap<D>, codec: Codec, values: Partial<D>): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const key of Object.keys(values) as (keyof D)[]) {
    const value = values[key];
    const spec = map[key];
    if (value === undefined || spec === undefined) continue;
    row[spec[0]] = encodeValue(codec, spec[1], value);
  }
  return row;
}

/** Turns a row as the driver returned it into a domain object. */
export function decodeRow<D>(map: FieldMap<D>, codec: Codec, row: Record<string, unknown>): D {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(map) as (keyof D & string)[]) {
    const [column, kind] = map[key];
    out[key] = decodeValue(codec, kind, row[column]);
  }
  return out as D;
}
