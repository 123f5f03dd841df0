import { sql } from 'kysely';
import type { Migration } from 'kysely';
import { columnTypes } from './column-types.js';
import type { MigrationDb, SqlFlavour } from './flavour.js';

/**
 * Dynamic Client Registration (RFC 7591, RFC 7592): `authly_initial_access_tokens` (digests of
 * the tokens that may register a client, with their remaining uses) and
 * `authly_client_registrations` (the digest of each dynamically registered client's registration
 * access token). New tables: Authly's own are untouched.
 */
export function clientRegistration(flavour: SqlFlavour): Migration {
  return {
    async up(db: MigrationDb): Promise<void> {
      const { id, time } = columnTypes(flavour);
      await sql`CREATE TABLE IF NOT EXISTS authly_initial_access_tokens (
        token_hash VARCHAR(64) PRIMARY KEY NOT NULL,
        uses_remaining INTEGER NOT NULL CHECK (uses_remaining >= 0),
        expires_at ${time} NOT NULL,
        created_at ${time} NOT NULL
      )`.execute(db);
      await sql`CREATE TABLE IF NOT EXISTS authly_client_registrations (
        client_id ${id} PRIMARY KEY NOT NULL REFERENCES oauth_clients (id) ON DELETE CASCADE,
        access_token_hash VARCHAR(64) NOT NULL,
        created_at ${time} NOT NULL
      )`.execute(db);
    },
  };
}
