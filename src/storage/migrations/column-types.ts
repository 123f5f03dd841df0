import { sql, type RawBuilder } from 'kysely';
import type { SqlFlavour } from './flavour.js';

/**
 * The column types new tables use on each engine, as the baseline maps them: UUID and
 * TIMESTAMPTZ on PostgreSQL, TEXT (UUID text, ISO-8601 UTC) on SQLite.
 */
export function columnTypes(flavour: SqlFlavour): { id: RawBuilder<unknown>; time: RawBuilder<unknown> } {
  const pg = flavour === 'postgresql';
  return { id: sql.raw(pg ? 'UUID' : 'TEXT'), time: sql.raw(pg ? 'TIMESTAMPTZ' : 'TEXT') };
}
