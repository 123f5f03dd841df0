import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { MAX_CACHED_PARAMETERS, withStatementCache } from '../../src/storage/sqlite/statement-cache.js';

/** `SELECT … IN (?, ?, …)` with `n` parameters, as Kysely compiles a list of `n` names. */
function inList(n: number): string {
  return `SELECT value FROM json_each('[]') WHERE value IN (${Array.from({ length: n }, () => '?').join(', ')})`;
}

describe('the prepared-statement cache and long parameter lists', () => {
  it('does not keep a 1000-parameter statement, so input-sized lists cannot fill the cache', () => {
    const raw = new BetterSqlite3(':memory:');
    const db = withStatementCache(raw, 500);
    const sql = inList(1000);
    const first = db.prepare(sql);
    const second = db.prepare(sql);
    expect(second).not.toBe(first);
    // Still a working statement for the one call.
    expect(second.all(Array.from({ length: 1000 }, (_, i) => `s${i}`))).toEqual([]);
    db.close();
  });

  it(`keeps statements up to ${MAX_CACHED_PARAMETERS} parameters`, () => {
    const raw = new BetterSqlite3(':memory:');
    const db = withStatementCache(raw, 500);
    const sql = inList(MAX_CACHED_PARAMETERS);
    expect(db.prepare(sql)).toBe(db.prepare(sql));
    expect(db.prepare(inList(MAX_CACHED_PARAMETERS + 1))).not.toBe(db.prepare(inList(MAX_CACHED_PARAMETERS + 1)));
    db.close();
  });
});
