import type BetterSqlite3 from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

/**
 * Statements with more bound parameters than this are prepared for the one call and not kept:
 * their shape depends on the length of an input list (`IN (?, ?, …)`), so each length would be
 * a new entry, and a few hundred requests with long lists could fill the cache with huge
 * statements. Every fixed-shape query of the repositories has far fewer.
 */
export const MAX_CACHED_PARAMETERS = 64;

/**
 * Kysely's SQLite compiler writes every bound value as `?`, so counting them bounds the number
 * of parameters from above (a `?` inside a literal only makes a statement look larger).
 */
function parameterCount(sql: string): number {
  let count = 0;
  for (let i = sql.indexOf('?'); i !== -1; i = sql.indexOf('?', i + 1)) count += 1;
  return count;
}

/**
 * Wraps a better-sqlite3 connection so Kysely's `SqliteDriver`, which calls `prepare(sql)` on
 * every query, reuses compiled statements. Preparing costs about two thirds of a primary-key
 * read, and Kysely emits identical SQL text for identical query shapes, so the
 * SQL text is a sound key. better-sqlite3 is synchronous and Kysely serialises access to its
 * single connection, so one statement is never used by two queries at once.
 */
export function withStatementCache(db: BetterSqlite3.Database, maxEntries: number): SqliteDatabase {
  const statements = new Map<string, SqliteStatement>();
  return {
    close() {
      statements.clear();
      db.close();
    },
    prepare(sql: string): SqliteStatement {
      const cached = statements.get(sql);
      if (cached) {
        // Map keeps insertion order: re-inserting marks the entry most recently used.
        statements.delete(sql);
        statements.set(sql, cached);
        return cached;
      }
      const statement = db.prepare(sql) as unknown as SqliteStatement;
      if (maxEntries > 0 && parameterCount(sql) <= MAX_CACHED_PARAMETERS) {
        if (statements.size >= maxEntries) {
          const oldest = statements.keys().next().value;
          if (oldest !== undefined) statements.delete(oldest);
        }
        statements.set(sql, statement);
      }
      return statement;
    },
  };
}
