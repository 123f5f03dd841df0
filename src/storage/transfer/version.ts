import { authlyMigrations } from '../migrations/index.js';
import { BASELINE_MIGRATION } from '../migrations/index.js';
import { TransferError } from './errors.js';

/**
 * Where a schema came from: `authly` is ours (its migrations are recorded), `authly-python` is a
 * database created by Python Authly's own SQL script (the same tables, no record: our baseline),
 * `empty` has neither.
 */
export type SchemaOrigin = 'authly' | 'authly-python' | 'empty';

/** The schema version of a database or a dump: its last applied migration. */
export interface SchemaVersion {
  origin: SchemaOrigin;
  /** Name of the last applied migration; the baseline for `authly-python`; null when empty. */
  migration: string | null;
}

/** Every migration this build knows, in the order they run. */
export function knownMigrations(): string[] {
  return Object.keys(authlyMigrations('sqlite')).sort();
}

/** The newest schema version this build knows. */
export function latestMigration(): string {
  return knownMigrations().at(-1)!;
}

/**
 * The version of a database from its table names and the migrations recorded in it (`null`
 * when the record table is absent). Python Authly's databases are recognised, as the baseline
 * migration does, by `users` and `oauth_clients` existing without our record.
 */
export function detectVersion(tableNames: ReadonlySet<string>, applied: readonly string[] | null): SchemaVersion {
  if (applied !== null && applied.length > 0) return { origin: 'authly', migration: [...applied].sort().at(-1)! };
  if (tableNames.has('users') && tableNames.has('oauth_clients')) return { origin: 'authly-python', migration: BASELINE_MIGRATION };
  return { origin: 'empty', migration: null };
}

/** `2025-01-05T0000-code-auth-time`, or `Authly (Python) baseline`, or `empty`. */
export function describeVersion(version: SchemaVersion): string {
  if (version.origin === 'authly-python') return 'Authly (Python) schema, read as the baseline';
  return version.migration ?? 'no Authly schema';
}

/**
 * Refuses a schema version this build cannot read: one written by a newer (or another) build
 * whose migrations it does not have, since it cannot know what their columns mean.
 * @param what names the database or file in the message.
 */
export function assertKnownVersion(version: SchemaVersion, what: string): void {
  if (version.migration === null) return;
  const known = knownMigrations();
  if (known.includes(version.migration)) return;
  const latest = known.at(-1)!;
  const relation = version.migration > latest ? 'newer than this build of authly knows' : 'unknown to this build of authly';
  throw new TransferError(`${what} has schema version ${version.migration}, ${relation} (latest: ${latest}); use the authly release that wrote it`);
}
