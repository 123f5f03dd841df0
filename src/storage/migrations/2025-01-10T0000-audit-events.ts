import { sql } from 'kysely';
import type { Migration } from 'kysely';
import type { MigrationDb, SqlFlavour } from './flavour.js';

/**
 * Adds `audit_events`, written when `audit.sink` is `database`: one row per security event.
 * `user_id` and `client_id` carry no foreign key on purpose: the record of what happened to a
 * user must outlive the user. Indexed for the admin listing's filters, each with the time, which
 * is also the retention pruner's key.
 */
export function auditEvents(flavour: SqlFlavour): Migration {
  return {
    async up(db: MigrationDb): Promise<void> {
      const pg = flavour === 'postgresql';
      const id = pg ? sql.raw('UUID') : sql.raw('TEXT');
      const time = pg ? sql.raw('TIMESTAMPTZ') : sql.raw('TEXT');
      const json = pg ? sql.raw('JSONB NOT NULL') : sql.raw('TEXT NOT NULL CHECK (json_valid(details))');
      await sql`CREATE TABLE IF NOT EXISTS audit_events (
        id ${id} PRIMARY KEY NOT NULL,
        event VARCHAR(100) NOT NULL,
        occurred_at ${time} NOT NULL,
        user_id VARCHAR(255),
        client_id VARCHAR(255),
        actor_id VARCHAR(255),
        request_id VARCHAR(128),
        details ${json}
      )`.execute(db);
      await sql`CREATE INDEX IF NOT EXISTS idx_audit_events_occurred_at ON audit_events (occurred_at)`.execute(db);
      await sql`CREATE INDEX IF NOT EXISTS idx_audit_events_user ON audit_events (user_id, occurred_at)`.execute(db);
      await sql`CREATE INDEX IF NOT EXISTS idx_audit_events_client ON audit_events (client_id, occurred_at)`.execute(db);
      await sql`CREATE INDEX IF NOT EXISTS idx_audit_events_event ON audit_events (event, occurred_at)`.execute(db);
    },
  };
}
