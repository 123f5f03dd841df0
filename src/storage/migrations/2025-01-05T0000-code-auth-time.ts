import { sql } from 'kysely';
import type { Migration } from 'kysely';
import type { MigrationDb, SqlFlavour } from './flavour.js';

/**
 * Adds `oauth_authorization_codes.auth_time`: when the user really authenticated, which OIDC
 * Core §2 requires in the ID token's `auth_time` (and `max_age` depends on). Authly wrote the
 * issue time instead (spec §4.3). Nullable, so Authly's rows and code paths are unaffected.
 */
export function codeAuthTime(flavour: SqlFlavour): Migration {
  return {
    async up(db: MigrationDb): Promise<void> {
      if (flavour === 'postgresql') {
        await sql`ALTER TABLE oauth_authorization_codes ADD COLUMN IF NOT EXISTS auth_time TIMESTAMPTZ`.execute(db);
        return;
      }
      const { rows } = await sql<{ name: string }>`
        SELECT name FROM pragma_table_info('oauth_authorization_codes') WHERE name = 'auth_time'
      `.execute(db);
      if (rows.length === 0) await sql`ALTER TABLE oauth_authorization_codes ADD COLUMN auth_time TEXT`.execute(db);
    },
  };
}
