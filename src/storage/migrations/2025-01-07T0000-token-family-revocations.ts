import { sql } from 'kysely';
import type { Migration } from 'kysely';
import type { MigrationDb, SqlFlavour } from './flavour.js';

/**
 * Adds `token_family_revocations`: one row per revoked token family (`tokens.grant_id`), written
 * before the family's tokens are invalidated. RFC 9700 §4.14.2 requires that nothing of a family
 * survives a refresh-token replay (and RFC 6749 §4.1.2 the same for a reused code); invalidating
 * the rows that exist at that instant is not enough while a concurrent rotation is still writing
 * its new tokens. The durable marker lets that rotation see the revocation after its own insert
 * (see `KyselyTokenRepository.addToFamily`). A new table: Authly's own tables are untouched.
 */
export function tokenFamilyRevocations(flavour: SqlFlavour): Migration {
  return {
    async up(db: MigrationDb): Promise<void> {
      if (flavour === 'postgresql') {
        await sql`CREATE TABLE IF NOT EXISTS token_family_revocations (
          grant_id UUID PRIMARY KEY,
          revoked_at TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP
        )`.execute(db);
      } else {
        await sql`CREATE TABLE IF NOT EXISTS token_family_revocations (
          grant_id TEXT PRIMARY KEY,
          revoked_at TEXT NOT NULL
        )`.execute(db);
      }
      // `db prune` removes markers by age.
      await sql`CREATE INDEX IF NOT EXISTS idx_token_family_revocations_revoked_at ON token_family_revocations (revoked_at)`.execute(db);
    },
  };
}
