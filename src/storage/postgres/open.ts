import { Kysely, PostgresDialect } from 'kysely';
import { createRequire } from 'node:module';
import type pg from 'pg';
import { StorageOpenError } from '../errors.js';
import type { Database } from '../kysely/database.js';
import { withUnavailableErrors } from '../unavailable.js';
import { isPostgresUnavailable } from './unavailable.js';

/** Options for a PostgreSQL pool. */
export interface PostgresOpenOptions {
  connectionString?: string;
  host?: string;
  port?: number;
  database?: string;
  user?: string;
  password?: string;
  poolSize: number;
  /** Told when a pooled connection breaks (the server went away, or ended our backend). */
  onConnectionError?: (error: Error) => void;
}

/** An open PostgreSQL pool behind Kysely. */
export interface OpenedPostgres {
  db: Kysely<Database>;
  pool: pg.Pool;
}

const DATE_OID = 1082;

/** pg, required on first use: a server on SQLite never loads it, which keeps start-up short. */
let loaded: typeof pg | undefined;
function pgModule(): typeof pg {
  loaded ??= createRequire(import.meta.url)('pg') as typeof pg;
  return loaded;
}

/*
 * DATE columns (users.birthdate) must stay calendar strings: pg's default parser builds a Date at
 * local midnight, which shifts the day in any zone west of UTC (dates are plain YYYY-MM-DD).
 * The parser is scoped to our pool, not installed globally.
 */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === DATE_OID) return (value: string) => value;
    return pgModule().types.getTypeParser(oid, format as 'text');
  },
} as pg.CustomTypesConfig;

/** Where we connect, for messages: never the password. */
export function describeTarget(o: PostgresOpenOptions): string {
  if (o.connectionString) {
    try {
      const url = new URL(o.connectionString);
      return `${url.hostname}:${url.port || 5432}${url.pathname}`;
    } catch {
      return 'the configured URL';
    }
  }
  return `${o.host ?? 'localhost'}:${o.port ?? 5432}/${o.database ?? ''}`;
}

/** Where and as whom to connect, for a pool or a single client; a dead address fails in 10 s. */
export function connectionFields(options: Omit<PostgresOpenOptions, 'poolSize'>): pg.ClientConfig {
  return {
    connectionString: options.connectionString,
    host: options.host,
    port: options.port,
    database: options.database,
    user: options.user,
    password: options.password,
    connectionTimeoutMillis: 10_000,
  };
}

/** Opens a pool and checks that the server answers, so a bad address fails at start-up. */
export async function openPostgres(options: PostgresOpenOptions): Promise<OpenedPostgres> {
  const pool = new (pgModule().Pool)({ ...connectionFields(options), max: options.poolSize, types });
  /*
   * A connection that loses its server emits 'error'. pg-pool listens only while the client is
   * idle in the pool; a checked-out client's 'error' (its backend terminated between two queries
   * of a transaction, or during one) would be an unhandled 'error' event and kill the process.
   * So every client gets a listener for its whole life. The failed query itself rejects (and is
   * classified below), and pg-pool discards the broken client when it is released.
   */
  const onConnectionError = (error: Error) => options.onConnectionError?.(error);
  pool.on('connect', (client) => client.on('error', onConnectionError));
  pool.on('error', () => undefined); // idle clients: already reported by the listener above
  try {
    await pool.query('SELECT 1');
  } catch (err) {
    await pool.end().catch(() => undefined);
    const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new StorageOpenError(`cannot connect to PostgreSQL at ${describeTarget(options)}: ${reason}`, { cause: err });
  }
  const dialect = withUnavailableErrors(new PostgresDialect({ pool }), isPostgresUnavailable, 'PostgreSQL');
  return { db: new Kysely<Database>({ dialect }), pool };
}
