import { sql } from 'kysely';
import type { Migration } from 'kysely';
import { addColumnIfMissing } from './add-column.js';
import { columnTypes } from './column-types.js';
import type { MigrationDb, SqlFlavour } from './flavour.js';

/**
 * OpenID Connect Back-Channel Logout 1.0: `oauth_authorization_codes.sid` (the browser session a
 * code was issued in, for the ID token's `sid`), `authly_logout_sessions` (which clients hold an
 * ID token of which session, and under which issuer) and `authly_backchannel_outbox` (logout
 * notices still to deliver, with their retry state: a restart loses none).
 */
export function backchannelLogout(flavour: SqlFlavour): Migration {
  return {
    async up(db: MigrationDb): Promise<void> {
      const { id, time } = columnTypes(flavour);
      await addColumnIfMissing(db, flavour, { table: 'oauth_authorization_codes', column: 'sid', postgresType: 'VARCHAR(64)', sqliteType: 'TEXT' });
      await sql`CREATE TABLE IF NOT EXISTS authly_logout_sessions (
        sid VARCHAR(64) NOT NULL,
        client_id ${id} NOT NULL REFERENCES oauth_clients (id) ON DELETE CASCADE,
        user_id ${id} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        issuer VARCHAR(2000) NOT NULL,
        created_at ${time} NOT NULL,
        PRIMARY KEY (sid, client_id)
      )`.execute(db);
      await sql`CREATE INDEX IF NOT EXISTS idx_authly_logout_sessions_user_id ON authly_logout_sessions (user_id)`.execute(db);
      await sql`CREATE TABLE IF NOT EXISTS authly_backchannel_outbox (
        id ${id} PRIMARY KEY NOT NULL,
        client_id ${id} NOT NULL REFERENCES oauth_clients (id) ON DELETE CASCADE,
        issuer VARCHAR(2000) NOT NULL,
        sub VARCHAR(255) NOT NULL,
        sid VARCHAR(64) NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at ${time} NOT NULL,
        last_error VARCHAR(500),
        created_at ${time} NOT NULL
      )`.execute(db);
      await sql`CREATE INDEX IF NOT EXISTS idx_authly_backchannel_outbox_next_attempt_at ON authly_backchannel_outbox (next_attempt_at)`.execute(db);
    },
  };
}
