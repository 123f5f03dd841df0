import { sql } from 'kysely';
import type { Migration } from 'kysely';
import type { MigrationDb, SqlFlavour } from './flavour.js';

/**
 * Adds `oidc_jwks_keys.private_key_data` (nullable TEXT): the encrypted private half of a signing
 * key. Authly keeps its key in memory only and has no such column (spec §7.8); we persist keys so
 * that restarts and several instances sign with the same key. Guarded so that re-running it, or
 * running it on a database where the column was added by hand, is harmless.
 */
export function signingKeyPrivateMaterial(flavour: SqlFlavour): Migration {
  return {
    async up(db: MigrationDb): Promise<void> {
      if (flavour === 'postgresql') {
        await sql`ALTER TABLE oidc_jwks_keys ADD COLUMN IF NOT EXISTS private_key_data TEXT`.execute(db);
        return;
      }
      // SQLite's ALTER TABLE has no IF NOT EXISTS; ask the table itself.
      const { rows } = await sql<{ name: string }>`
        SELECT name FROM pragma_table_info('oidc_jwks_keys') WHERE name = 'private_key_data'
      `.execute(db);
      if (rows.length === 0) {
        await sql`ALTER TABLE oidc_jwks_keys ADD COLUMN private_key_data TEXT`.execute(db);
      }
    },
  };
}
