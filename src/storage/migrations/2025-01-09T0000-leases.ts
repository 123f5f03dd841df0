import { sql } from 'kysely';
import type { Migration } from 'kysely';
import type { MigrationDb, SqlFlavour } from './flavour.js';

/**
 * Adds `authly_leases` (name, holder, expires_at): the instance holding a lease may run the job
 * it names (the in-process pruner) until `expires_at`, so instances sharing a database take
 * turns instead of all pruning at once. Prefixed like `authly_schema_migrations`, so it cannot
 * clash with Authly's tables; nothing else changes.
 */
export function leases(flavour: SqlFlavour): Migration {
  return {
    async up(db: MigrationDb): Promise<void> {
      const time = flavour === 'postgresql' ? sql.raw('TIMESTAMPTZ') : sql.raw('TEXT');
      await sql`CREATE TABLE IF NOT EXISTS authly_leases (
        name VARCHAR(100) PRIMARY KEY NOT NULL,
        holder VARCHAR(255) NOT NULL,
        expires_at ${time} NOT NULL
      )`.execute(db);
    },
  };
}
