import type { Kysely } from 'kysely';

/** The SQL dialects a migration is written for (`memory` is SQLite too). */
export type SqlFlavour = 'sqlite' | 'postgresql';

/**
 * The database handle migrations receive. Deliberately untyped (Kysely's own advice): a
 * migration describes the schema as it was when written, so it must not compile against the
 * current `Database` table map in `kysely/database.ts`.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type MigrationDb = Kysely<any>;
