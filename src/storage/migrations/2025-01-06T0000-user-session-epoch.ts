import type { Migration } from 'kysely';
import { addColumnIfMissing } from './add-column.js';
import type { MigrationDb, SqlFlavour } from './flavour.js';

/**
 * Adds `users.session_epoch`: every browser-session cookie carries the epoch it was issued in,
 * and raising it (logout, password reset or change, deactivation, demotion) ends all of the
 * user's browser sessions at once without a session table. `NOT NULL DEFAULT 0` fills existing
 * rows, so an adopted Authly database keeps working and its users start at epoch 0.
 */
export function userSessionEpoch(flavour: SqlFlavour): Migration {
  return {
    async up(db: MigrationDb): Promise<void> {
      const type = 'INTEGER NOT NULL DEFAULT 0';
      await addColumnIfMissing(db, flavour, { table: 'users', column: 'session_epoch', postgresType: type, sqliteType: type });
    },
  };
}
