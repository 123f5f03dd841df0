import type { Migration } from 'kysely';
import { addColumnIfMissing } from './add-column.js';
import type { MigrationDb, SqlFlavour } from './flavour.js';

/**
 * Adds `oauth_clients.backchannel_logout_uri` and `backchannel_logout_session_required`
 * (OpenID Connect Back-Channel Logout 1.0 §2.2). Both nullable: existing clients get no
 * back-channel notices, as before.
 */
export function clientBackchannelLogout(flavour: SqlFlavour): Migration {
  return {
    async up(db: MigrationDb): Promise<void> {
      await addColumnIfMissing(db, flavour, { table: 'oauth_clients', column: 'backchannel_logout_uri', postgresType: 'TEXT', sqliteType: 'TEXT' });
      await addColumnIfMissing(db, flavour, {
        table: 'oauth_clients',
        column: 'backchannel_logout_session_required',
        postgresType: 'BOOLEAN',
        sqliteType: 'INTEGER CHECK (backchannel_logout_session_required IN (0, 1))',
      });
    },
  };
}
