import { sql } from 'kysely';
import type { Migration } from 'kysely';
import { addColumnIfMissing } from './add-column.js';
import type { MigrationDb, SqlFlavour } from './flavour.js';

/**
 * Token families for OAuth 2.1 security rules that Authly lacked:
 * - `tokens.grant_id` groups every token issued from one grant (one authorization code, one
 *   password login, one client_credentials request) so that a reused code (RFC 6749 §4.1.2) or a
 *   replayed rotated refresh token (RFC 9700 §4.14.2) revokes the whole family in one statement.
 * - `tokens.user_id` becomes nullable: client_credentials tokens (RFC 6749 §4.4) have no user.
 *   Python Authly's schema declares it `NOT NULL` (every Authly token belongs to a user), so an
 *   adopted database and our PostgreSQL baseline, which copies that schema, both need this.
 * Both changes are additive: existing rows and Authly's own code are unaffected.
 */
export function tokenGrants(flavour: SqlFlavour): Migration {
  return {
    async up(db: MigrationDb): Promise<void> {
      // The SQLite baseline already declares user_id nullable (no SQLite database predates it).
      if (flavour === 'postgresql') await sql`ALTER TABLE tokens ALTER COLUMN user_id DROP NOT NULL`.execute(db);
      await addColumnIfMissing(db, flavour, { table: 'tokens', column: 'grant_id', postgresType: 'UUID', sqliteType: 'TEXT' });
      await sql`CREATE INDEX IF NOT EXISTS idx_tokens_grant_id ON tokens (grant_id) WHERE grant_id IS NOT NULL`.execute(db);
    },
  };
}
