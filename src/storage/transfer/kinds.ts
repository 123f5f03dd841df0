import type { SqlFlavour } from '../kysely/codec.js';

/**
 * What a column holds, independent of the engine: the portable types of a dump and of the
 * comparison `authly db verify` makes. PostgreSQL names them in its catalog; SQLite stores most
 * of them as TEXT or INTEGER, so its kinds are read from the declared type and from the CHECKs
 * the SQLite migrations write (`json_valid`, `json_type(...) = 'array'`, `IN (0, 1)`).
 */
export type ValueKind = 'text' | 'uuid' | 'integer' | 'number' | 'bool' | 'time' | 'date' | 'json' | 'array' | 'bytes';

/** The kinds a dump header may name; anything else in a header is refused. */
export const VALUE_KINDS: readonly ValueKind[] = ['text', 'uuid', 'integer', 'number', 'bool', 'time', 'date', 'json', 'array', 'bytes'];

const POSTGRES_KINDS: Record<string, ValueKind> = {
  uuid: 'uuid',
  text: 'text',
  varchar: 'text',
  bpchar: 'text',
  name: 'text',
  citext: 'text',
  int2: 'integer',
  int4: 'integer',
  int8: 'integer',
  oid: 'integer',
  float4: 'number',
  float8: 'number',
  numeric: 'number',
  bool: 'bool',
  timestamptz: 'time',
  timestamp: 'time',
  date: 'date',
  json: 'json',
  jsonb: 'json',
  bytea: 'bytes',
};

const TEXT_ELEMENTS = new Set(['text', 'varchar', 'bpchar', 'name', 'citext', 'uuid']);

/**
 * The kind of a PostgreSQL column from `pg_type.typname` (and the element type of an array).
 * Types this tool does not know travel as their text form.
 */
export function postgresKind(typeName: string, elementTypeName: string | null): ValueKind {
  if (elementTypeName !== null) return TEXT_ELEMENTS.has(elementTypeName) ? 'array' : 'text';
  return POSTGRES_KINDS[typeName] ?? 'text';
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The kind of a SQLite column from its declared type and the CHECKs in its table's CREATE
 * statement (SQLite keeps `ALTER TABLE ... ADD COLUMN` definitions in that statement too).
 */
export function sqliteKind(column: string, declaredType: string, createSql: string): ValueKind {
  const name = `["\`]?${escapeRegExp(column)}["\`]?`;
  if (new RegExp(`json_type\\s*\\(\\s*${name}\\s*\\)\\s*=\\s*'array'`, 'i').test(createSql)) return 'array';
  if (new RegExp(`json_valid\\s*\\(\\s*${name}\\s*\\)`, 'i').test(createSql)) return 'json';
  if (new RegExp(`CHECK\\s*\\(\\s*${name}\\s+IN\\s*\\(\\s*0\\s*,\\s*1\\s*\\)\\s*\\)`, 'i').test(createSql)) return 'bool';
  const type = declaredType.toUpperCase();
  if (type.includes('BOOL')) return 'bool';
  if (type.includes('INT')) return 'integer';
  if (/REAL|FLOA|DOUB|NUMERIC|DECIMAL/.test(type)) return 'number';
  if (type === 'BLOB') return 'bytes';
  if (type.includes('JSON')) return 'json';
  if (type.includes('UUID')) return 'uuid';
  if (type.includes('TIMESTAMP') || type.includes('DATETIME')) return 'time';
  if (type === 'DATE') return 'date';
  return 'text';
}

/** One side of a transfer or comparison: the engine and what its catalog says a column holds. */
export interface KindSide {
  dialect: SqlFlavour;
  kind: ValueKind;
}

/**
 * The kind both sides treat a column as. PostgreSQL's catalog is exact, so a PostgreSQL side
 * decides (the target first, as it must accept the value); between two SQLite databases the more
 * specific of the two wins, and TEXT against TEXT is passed through as it is.
 */
export function sharedKind(target: KindSide, source: KindSide): ValueKind {
  if (target.dialect === 'postgresql') return target.kind;
  if (source.dialect === 'postgresql') return source.kind;
  return target.kind === 'text' ? source.kind : target.kind;
}
