import type { Migration } from 'kysely';
import { addColumnIfMissing } from './add-column.js';
import type { MigrationDb, SqlFlavour } from './flavour.js';

/**
 * Adds `oauth_authorization_codes.auth_time`: when the user really authenticated, which OIDC
 * Core §2 requires in the ID token's `auth_time` (and `max_age` depends on). Authly wrote the
 * issue time instead. Nullable, so Authly's rows and code paths are unaffected.
 */
export function codeAuthTime(flavour: SqlFlavour): Migration {
  return {
    async up(db: MigrationDb): Promise<void> {
      await addColumnIfMissing(db, flavour, { table: 'oauth_authorization_codes', column: 'auth_time', postgresType: 'TIMESTAMPTZ', sqliteType: 'TEXT' });
    },
  };
}
