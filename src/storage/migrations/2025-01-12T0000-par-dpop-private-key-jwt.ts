import { sql } from 'kysely';
import type { Migration } from 'kysely';
import { addColumnIfMissing } from './add-column.js';
import type { MigrationDb, SqlFlavour } from './flavour.js';

/**
 * Sender-constrained and pushed requests:
 * - `oauth_clients.jwks` (a registered JWK Set for `private_key_jwt`, RFC 7591 §2),
 *   `require_pushed_authorization_requests` (RFC 9126 §6) and `dpop_bound_access_tokens`
 *   (RFC 9449 §5.2);
 * - `oauth_authorization_codes.dpop_jkt`: the key a code is bound to (RFC 9449 §10);
 * - `oauth_pushed_requests`: pushed authorization requests by the digest of their
 *   `request_uri`, deleted when used (RFC 9126 §2.2);
 * - `authly_replay_guards`: one row per seen `jti` of a client assertion (RFC 7523 §3) or DPoP
 *   proof (RFC 9449 §11.1) until it expires, so a replay is refused on every instance.
 * Authly's columns are untouched; the new ones are nullable or have defaults.
 */
export function parDpopPrivateKeyJwt(flavour: SqlFlavour): Migration {
  return {
    async up(db: MigrationDb): Promise<void> {
      const pg = flavour === 'postgresql';
      const flag = (column: string) => ({
        table: 'oauth_clients',
        column,
        postgresType: 'BOOLEAN NOT NULL DEFAULT FALSE',
        sqliteType: `INTEGER NOT NULL DEFAULT 0 CHECK (${column} IN (0, 1))`,
      });
      await addColumnIfMissing(db, flavour, { table: 'oauth_clients', column: 'jwks', postgresType: 'JSONB', sqliteType: 'TEXT CHECK (jwks IS NULL OR json_valid(jwks))' });
      await addColumnIfMissing(db, flavour, flag('require_pushed_authorization_requests'));
      await addColumnIfMissing(db, flavour, flag('dpop_bound_access_tokens'));
      await addColumnIfMissing(db, flavour, { table: 'oauth_authorization_codes', column: 'dpop_jkt', postgresType: 'VARCHAR(64)', sqliteType: 'TEXT' });

      const time = pg ? sql.raw('TIMESTAMPTZ') : sql.raw('TEXT');
      const id = pg ? sql.raw('UUID') : sql.raw('TEXT');
      const json = pg ? sql.raw('JSONB NOT NULL') : sql.raw('TEXT NOT NULL CHECK (json_valid(parameters))');
      await sql`CREATE TABLE IF NOT EXISTS oauth_pushed_requests (
        request_uri_hash VARCHAR(64) PRIMARY KEY NOT NULL,
        client_id ${id} NOT NULL REFERENCES oauth_clients (id) ON DELETE CASCADE,
        parameters ${json},
        expires_at ${time} NOT NULL,
        created_at ${time} NOT NULL
      )`.execute(db);
      await sql`CREATE INDEX IF NOT EXISTS idx_oauth_pushed_requests_expires_at ON oauth_pushed_requests (expires_at)`.execute(db);
      await sql`CREATE TABLE IF NOT EXISTS authly_replay_guards (
        guard_key VARCHAR(128) PRIMARY KEY NOT NULL,
        expires_at ${time} NOT NULL
      )`.execute(db);
      await sql`CREATE INDEX IF NOT EXISTS idx_authly_replay_guards_expires_at ON authly_replay_guards (expires_at)`.execute(db);
    },
  };
}
