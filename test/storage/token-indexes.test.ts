import { randomUUID } from 'node:crypto';
import { CompiledQuery, Kysely, SqliteDialect } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { sqliteCodec } from '../../src/storage/kysely/codec.js';
import type { Database } from '../../src/storage/kysely/database.js';
import { KyselyTokenRepository } from '../../src/storage/kysely/token-repository.js';
import { runMigrations } from '../../src/storage/migrator.js';
import { openSqlite, type OpenedSqlite } from '../../src/storage/sqlite/open.js';
import { DEFAULT_TEST_PRAGMAS } from './pragmas.js';

/*
 * SQLite keeps only the indexes of `tokens` some query needs (migration
 * 2025-01-14T0000-sqlite-token-indexes). Every statement the token repository runs, and the
 * ones SQLite runs for the foreign-key actions from `users` and `oauth_clients`, must still find
 * its rows through an index: no plan may scan the table.
 */

let opened: OpenedSqlite | undefined;
afterEach(async () => {
  await opened?.db.destroy();
  opened = undefined;
});

async function migrated(): Promise<OpenedSqlite> {
  opened = openSqlite({ path: ':memory:', pragmas: DEFAULT_TEST_PRAGMAS });
  await runMigrations(opened.db, 'sqlite');
  return opened;
}

/** A repository whose statements are recorded as they ran (SQL and bound values). */
function recordingRepository(raw: OpenedSqlite['raw']): { repo: KyselyTokenRepository; statements: CompiledQuery[] } {
  const statements: CompiledQuery[] = [];
  const db = new Kysely<Database>({
    dialect: new SqliteDialect({ database: raw }),
    log: (event) => {
      if (event.level === 'query') statements.push(event.query);
    },
  });
  const repo = new KyselyTokenRepository({ db, codec: sqliteCodec, clock: { now: () => new Date() }, ids: { uuid: randomUUID } });
  return { repo, statements };
}

describe('indexes of tokens (SQLite)', () => {
  it('keeps the primary key, the jti, expiry, client and family indexes, and narrows the user and consent ones to non-NULL rows', async () => {
    const { raw } = await migrated();
    const indexes = raw
      .prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'tokens' AND sql IS NOT NULL ORDER BY name`)
      .all() as { name: string; sql: string }[];
    expect(indexes.map((i) => i.name)).toEqual([
      'idx_tokens_client_id',
      'idx_tokens_consent_id',
      'idx_tokens_expires_at',
      'idx_tokens_grant_id',
      'idx_tokens_session_count',
      'idx_tokens_session_listing',
    ]);
    for (const name of ['idx_tokens_consent_id', 'idx_tokens_session_count', 'idx_tokens_session_listing']) {
      expect(indexes.find((i) => i.name === name)?.sql).toMatch(/IS NOT NULL$/);
    }
  });

  it('finds the rows of every token query and foreign-key action through an index', async () => {
    const { raw } = await migrated();
    const { repo, statements } = recordingRepository(raw);
    const now = new Date();
    const token = { userId: null, jti: randomUUID(), tokenType: 'access' as const, tokenValue: 'digest', expiresAt: new Date(now.getTime() + 60_000) };
    await repo.addToFamily(randomUUID(), [token], now);
    await repo.findByJti(token.jti);
    await repo.findById(randomUUID());
    await repo.invalidate(token.jti, now);
    await repo.invalidateByUser('user', now);
    await repo.invalidateByUser('user', now, 'access');
    await repo.invalidateByClient('client', now);
    await repo.invalidateByUserAndClient('user', 'client', now);
    await repo.revokeFamily(randomUUID(), now);
    for (const includeRefresh of [true, false]) {
      for (const activeOnly of [true, false]) {
        await repo.listSessions('user', { includeRefresh, activeOnly, now, limit: 10, offset: 0 });
        await repo.countSessions('user', { includeRefresh, activeOnly, now });
      }
    }
    await repo.deleteExpired(now);
    await repo.deleteExpired(now, 100);
    // What SQLite runs for ON DELETE CASCADE from users and ON DELETE SET NULL from oauth_clients.
    const foreignKeyActions = [
      CompiledQuery.raw('DELETE FROM tokens WHERE user_id = ?', ['user']),
      CompiledQuery.raw('UPDATE tokens SET client_id = NULL WHERE client_id = ?', ['client']),
    ];

    const reads = [...statements, ...foreignKeyActions].filter((q) => /\bfrom "?tokens"?|update "?tokens"?/i.test(q.sql));
    expect(reads.length).toBeGreaterThan(20);
    for (const query of reads) {
      const plan = (raw.prepare(`EXPLAIN QUERY PLAN ${query.sql}`).all(...(query.parameters as unknown[])) as { detail: string }[]).map((r) => r.detail);
      expect(plan.filter((line) => /\btokens\b/.test(line)), query.sql).not.toHaveLength(0);
      for (const line of plan.filter((l) => /\btokens\b/.test(l))) expect(line, query.sql).toMatch(/^SEARCH tokens USING (COVERING )?INDEX /);
    }
  });
});
