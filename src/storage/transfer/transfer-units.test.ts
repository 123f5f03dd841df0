import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { RowSetChecksum } from './checksum.js';
import { sharedKind, sqliteKind } from './kinds.js';
import { readLines } from './lines.js';
import { dependencyOrder } from './schema.js';
import type { TableSchema } from './schema.js';
import { normaliseTimestamp } from './timestamps.js';
import { encodeForTarget, normaliseForComparison } from './values.js';

describe('normaliseTimestamp', () => {
  it('writes UTC ISO-8601 at the asked precision, cutting (never rounding) extra digits', () => {
    expect(normaliseTimestamp('2025-01-02 03:04:05.678999+00', 3)).toBe('2025-01-02T03:04:05.678Z');
    expect(normaliseTimestamp('2025-01-02 03:04:05.678999+00', 6)).toBe('2025-01-02T03:04:05.678999Z');
    expect(normaliseTimestamp('2025-01-02T03:04:05.5Z', 6)).toBe('2025-01-02T03:04:05.500000Z');
  });

  it('converts offsets to UTC and reads zone-less text (CURRENT_TIMESTAMP) as UTC', () => {
    expect(normaliseTimestamp('2025-01-02 03:04:05+05:30', 3)).toBe('2025-01-01T21:34:05.000Z');
    expect(normaliseTimestamp('2025-01-02 03:04:05', 3)).toBe('2025-01-02T03:04:05.000Z');
  });

  it('leaves text that is not a timestamp alone', () => {
    expect(normaliseTimestamp('infinity', 3)).toBe('infinity');
  });
});

describe('column kinds', () => {
  const create = `CREATE TABLE t (a INTEGER CHECK (a IN (0, 1)), b TEXT CHECK (json_valid(b) AND json_type(b) = 'array'),
    c TEXT CHECK (json_valid(c)), d TEXT, e INTEGER, "f" TIMESTAMPTZ)`;

  it('reads SQLite kinds from the CHECKs the migrations write and from declared types', () => {
    expect(['a', 'b', 'c', 'd', 'e', 'f'].map((column, i) => sqliteKind(column, ['INTEGER', 'TEXT', 'TEXT', 'TEXT', 'INTEGER', 'TIMESTAMPTZ'][i]!, create))).toEqual([
      'bool', 'array', 'json', 'text', 'integer', 'time',
    ]);
  });

  it("lets PostgreSQL's exact catalog decide, and a specific SQLite kind over plain text", () => {
    expect(sharedKind({ dialect: 'sqlite', kind: 'text' }, { dialect: 'postgresql', kind: 'time' })).toBe('time');
    expect(sharedKind({ dialect: 'postgresql', kind: 'uuid' }, { dialect: 'sqlite', kind: 'text' })).toBe('uuid');
    expect(sharedKind({ dialect: 'sqlite', kind: 'text' }, { dialect: 'sqlite', kind: 'bool' })).toBe('bool');
  });
});

describe('values', () => {
  it('encodes for SQLite as 0/1, JSON text and millisecond timestamps, for PostgreSQL natively', () => {
    expect(encodeForTarget('sqlite', 'bool', true)).toBe(1);
    expect(encodeForTarget('sqlite', 'array', ['a', 'ü'])).toBe('["a","ü"]');
    expect(encodeForTarget('sqlite', 'time', '2025-01-02T03:04:05.123456Z')).toBe('2025-01-02T03:04:05.123Z');
    expect(encodeForTarget('postgresql', 'array', '[]')).toEqual([]);
    expect(encodeForTarget('postgresql', 'bool', 0)).toBe(false);
    expect(encodeForTarget('postgresql', 'json', { b: 1 })).toBe('{"b":1}');
  });

  it('normalises both engines to the same comparison form', () => {
    expect(normaliseForComparison('json', '{"b": 1, "a": {"d": 2, "c": 3}}', 3)).toEqual(normaliseForComparison('json', '{"a":{"c":3,"d":2},"b":1}', 3));
    expect(normaliseForComparison('uuid', 'ABCDEF00-0000-4000-8000-000000000000', 3)).toBe('abcdef00-0000-4000-8000-000000000000');
    expect(normaliseForComparison('bool', 1, 3)).toBe(true);
    expect(normaliseForComparison('time', '2025-01-02 03:04:05.123456+00', 3)).toBe(normaliseForComparison('time', '2025-01-02T03:04:05.123Z', 3));
  });
});

describe('dependencyOrder', () => {
  const table = (name: string, references: string[]): TableSchema => ({ name, columns: [], primaryKey: ['id'], references });

  it('puts every table after the tables it references, whatever the input order', () => {
    const order = dependencyOrder([table('tokens', ['users', 'clients']), table('links', ['tokens', 'scopes']), table('users', []), table('scopes', []), table('clients', [])]);
    const position = (name: string) => order.findIndex((t) => t.name === name);
    expect(position('users')).toBeLessThan(position('tokens'));
    expect(position('clients')).toBeLessThan(position('tokens'));
    expect(position('tokens')).toBeLessThan(position('links'));
    expect(position('scopes')).toBeLessThan(position('links'));
  });

  it('still returns every table of a reference cycle', () => {
    expect(dependencyOrder([table('a', ['b']), table('b', ['a'])]).map((t) => t.name).sort()).toEqual(['a', 'b']);
  });
});

describe('readLines', () => {
  it('keeps multi-byte characters split across chunks and flags a last line without newline', async () => {
    const bytes = Buffer.from('ä😀\nsecond\ncut', 'utf8');
    const chunks = [bytes.subarray(0, 1), bytes.subarray(1, 4), bytes.subarray(4)];
    const lines = [];
    for await (const line of readLines(Readable.from(chunks))) lines.push(line);
    expect(lines).toEqual([
      { text: 'ä😀', complete: true },
      { text: 'second', complete: true },
      { text: 'cut', complete: false },
    ]);
  });
});

describe('RowSetChecksum', () => {
  it('does not depend on row order but on every row', () => {
    const sum = (rows: string[]) => {
      const checksum = new RowSetChecksum();
      for (const row of rows) checksum.add(row);
      return checksum.hex();
    };
    expect(sum(['a', 'b', 'c'])).toBe(sum(['c', 'a', 'b']));
    expect(sum(['a', 'b', 'c'])).not.toBe(sum(['a', 'b', 'd']));
    expect(sum(['a', 'a'])).not.toBe(sum([]));
  });
});
