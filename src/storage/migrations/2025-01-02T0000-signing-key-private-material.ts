import type { Migration } from 'kysely';
import { addColumnIfMissing } from './add-column.js';
import type { MigrationDb, SqlFlavour } from './flavour.js';

/**
 * Adds `oidc_jwks_keys.private_key_data` (nullable TEXT): the encrypted private half of a signing
 * key. Authly keeps its key in memory only and has no such column; we persist keys so
 * that restarts and several instances sign with the same key. Guarded so that re-running it, or
 * running it on a database where the column was added by hand, is harmless.
 */
export function signingKeyPrivateMaterial(flavour: SqlFlavour): Migration {
  return {
    async up(db: MigrationDb): Promise<void> {
      await addColumnIfMissing(db, flavour, { table: 'oidc_jwks_keys', column: 'private_key_data', postgresType: 'TEXT', sqliteType: 'TEXT' });
    },
  };
}
