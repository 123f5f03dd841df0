import { sql } from 'kysely';
import type { Migration } from 'kysely';
import { columnTypes } from './column-types.js';
import type { MigrationDb, SqlFlavour } from './flavour.js';

/**
 * Adds `authly_device_codes` (RFC 8628): one row per device authorization request. The device
 * code and the user code are stored as digests only. `next_poll_at` and `interval_seconds` hold
 * the polling state in the database, so every instance enforces the same interval (§3.5
 * `slow_down`). A new table: Authly's own tables are untouched.
 */
export function deviceCodes(flavour: SqlFlavour): Migration {
  return {
    async up(db: MigrationDb): Promise<void> {
      const { id, time } = columnTypes(flavour);
      await sql`CREATE TABLE IF NOT EXISTS authly_device_codes (
        id ${id} PRIMARY KEY NOT NULL,
        device_code VARCHAR(64) NOT NULL UNIQUE,
        user_code VARCHAR(64) NOT NULL UNIQUE,
        client_id ${id} NOT NULL REFERENCES oauth_clients (id) ON DELETE CASCADE,
        scope TEXT,
        status VARCHAR(16) NOT NULL CHECK (status IN ('pending', 'approved', 'denied', 'consumed')),
        user_id ${id} REFERENCES users (id) ON DELETE CASCADE,
        auth_time ${time},
        sid VARCHAR(64),
        interval_seconds INTEGER NOT NULL,
        next_poll_at ${time},
        expires_at ${time} NOT NULL,
        created_at ${time} NOT NULL
      )`.execute(db);
      await sql`CREATE INDEX IF NOT EXISTS idx_authly_device_codes_expires_at ON authly_device_codes (expires_at)`.execute(db);
    },
  };
}
