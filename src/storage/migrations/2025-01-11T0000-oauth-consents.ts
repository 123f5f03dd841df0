import { sql } from 'kysely';
import type { Migration } from 'kysely';
import { addColumnIfMissing } from './add-column.js';
import type { MigrationDb, SqlFlavour } from './flavour.js';

/**
 * Adds `oauth_consents`: what a user agreed to let a client do (OIDC Core §3.1.2.4), remembered
 * so a returning user with a live session is not asked again and `prompt=none` can succeed.
 * At most one live (not revoked) consent per user and client, enforced by a partial unique
 * index; a later consent to more scopes widens it. Codes and tokens record the consent they were
 * issued under (`consent_id`), so revoking it revokes them. New table and nullable columns:
 * Authly's rows and code paths are unaffected.
 */
export function oauthConsents(flavour: SqlFlavour): Migration {
  return {
    async up(db: MigrationDb): Promise<void> {
      if (flavour === 'postgresql') {
        await sql`CREATE TABLE IF NOT EXISTS oauth_consents (
          id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
          user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
          client_id UUID NOT NULL REFERENCES oauth_clients (id) ON DELETE CASCADE,
          scopes TEXT NOT NULL,
          created_at TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP,
          revoked_at TIMESTAMPTZ
        )`.execute(db);
      } else {
        await sql`CREATE TABLE IF NOT EXISTS oauth_consents (
          id TEXT PRIMARY KEY NOT NULL,
          user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
          client_id TEXT NOT NULL REFERENCES oauth_clients (id) ON DELETE CASCADE,
          scopes TEXT NOT NULL,
          created_at TEXT NOT NULL,
          revoked_at TEXT
        )`.execute(db);
      }
      await sql`CREATE UNIQUE INDEX IF NOT EXISTS idx_oauth_consents_live ON oauth_consents (user_id, client_id) WHERE revoked_at IS NULL`.execute(db);
      await sql`CREATE INDEX IF NOT EXISTS idx_oauth_consents_client ON oauth_consents (client_id)`.execute(db);
      const uuid = { postgresType: 'UUID', sqliteType: 'TEXT' };
      await addColumnIfMissing(db, flavour, { table: 'oauth_authorization_codes', column: 'consent_id', ...uuid });
      await addColumnIfMissing(db, flavour, { table: 'tokens', column: 'consent_id', ...uuid });
      await sql`CREATE INDEX IF NOT EXISTS idx_tokens_consent_id ON tokens (consent_id)`.execute(db);
      await sql`CREATE INDEX IF NOT EXISTS idx_oauth_authorization_codes_consent_id ON oauth_authorization_codes (consent_id)`.execute(db);
    },
  };
}
