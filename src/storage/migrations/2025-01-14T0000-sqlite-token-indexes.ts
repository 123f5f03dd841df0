import { sql } from 'kysely';
import type { Migration } from 'kysely';
import type { MigrationDb, SqlFlavour } from './flavour.js';

/*
 * Every token issued writes one entry into each index of `tokens` whose WHERE it matches, inside
 * the request's commit. The baseline copied Authly's eleven indexes; on SQLite most of them cost
 * a B-tree write per client_credentials token and serve no query of ours:
 * - `idx_tokens_jti` repeats the index SQLite builds for `token_jti UNIQUE`;
 * - `idx_tokens_scope`: no query filters or sorts on `scope`;
 * - `idx_tokens_user_id` is a prefix of `idx_tokens_session_listing`, which answers every
 *   `user_id = ?` (sessions, revocation by user, the cascade from `users`);
 * - `idx_tokens_active_sessions`: the planner answers the active-session listing and count from
 *   `idx_tokens_session_count`, which has the same rows and more columns;
 * - the other indexes led by `user_id`, and `idx_tokens_consent_id`, indexed the NULLs of user-less
 *   (client_credentials, RFC 6749 §4.4) and consent-less tokens, which no lookup asks for. SQLite
 *   uses a partial index `WHERE c IS NOT NULL` for `c = ?` (https://sqlite.org/partialindex.html
 *   §2.2), so narrowing them changes no plan.
 * The query plans are checked in test/storage/token-indexes.test.ts. PostgreSQL keeps Authly's schema as it is: an adopted database must stay Authly's.
 */

/** The narrowed indexes, recreated under their old names. */
const NARROWED = [
  `CREATE INDEX idx_tokens_session_listing ON tokens (user_id, created_at DESC, invalidated, expires_at)
    WHERE user_id IS NOT NULL`,
  `CREATE INDEX idx_tokens_session_count ON tokens (user_id, token_type, invalidated, expires_at)
    WHERE token_type = 'access' AND user_id IS NOT NULL`,
  `CREATE INDEX idx_tokens_consent_id ON tokens (consent_id) WHERE consent_id IS NOT NULL`,
];

const DROPPED = [
  'idx_tokens_jti',
  'idx_tokens_scope',
  'idx_tokens_user_id',
  'idx_tokens_session_listing',
  'idx_tokens_session_count',
  'idx_tokens_active_sessions',
  'idx_tokens_consent_id',
];

/** Drops the indexes of `tokens` no SQLite query needs and narrows the rest to the rows looked up. */
export function sqliteTokenIndexes(flavour: SqlFlavour): Migration {
  return {
    async up(db: MigrationDb): Promise<void> {
      if (flavour !== 'sqlite') return;
      for (const name of DROPPED) await sql`DROP INDEX IF EXISTS ${sql.id(name)}`.execute(db);
      for (const statement of NARROWED) await sql.raw(statement).execute(db);
    },
  };
}
