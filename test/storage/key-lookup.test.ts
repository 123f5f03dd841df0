import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteKeyLookup } from '../../src/storage/sqlite/key-lookup.js';
import { openSqlite } from '../../src/storage/sqlite/open.js';
import { DEFAULT_TEST_PRAGMAS } from './pragmas.js';

/*
 * The token lookup by jti on SQLite is a statement prepared once (src/storage/sqlite/key-lookup.ts);
 * it never reads through a transaction someone else has open on the connection.
 */

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function table() {
  const dir = mkdtempSync(join(tmpdir(), 'authly-key-lookup-'));
  const { db, raw } = openSqlite({ path: join(dir, 'authly.db'), pragmas: DEFAULT_TEST_PRAGMAS });
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  cleanups.push(() => db.destroy());
  raw.exec(`CREATE TABLE t (id TEXT PRIMARY KEY, k TEXT UNIQUE, note TEXT); INSERT INTO t VALUES ('1', 'key', 'committed')`);
  const timings: number[] = [];
  return { raw, lookup: new SqliteKeyLookup(raw, { table: 't', column: 'k', onQuery: (s) => timings.push(s) }), timings };
}

const neverQueued = () => Promise.reject(new Error('the queued query ran'));

describe('SqliteKeyLookup', () => {
  it('answers the row of a key, or undefined, and reports each read to the query metric', async () => {
    const { lookup, timings } = table();
    expect(await lookup.find('key', neverQueued)).toEqual({ id: '1', k: 'key', note: 'committed' });
    expect(await lookup.find('other', neverQueued)).toBeUndefined();
    expect(timings).toHaveLength(2);
  });

  it('runs the caller\'s queued query instead while a transaction is open, so its uncommitted rows stay unseen', async () => {
    const { raw, lookup } = table();
    raw.exec(`BEGIN; UPDATE t SET note = 'uncommitted' WHERE k = 'key'`);
    const queued = { id: 'queued' };
    expect(await lookup.find('key', () => Promise.resolve(queued))).toBe(queued);
    raw.exec('ROLLBACK');
    expect(await lookup.find('key', neverQueued)).toMatchObject({ note: 'committed' });
  });
});
