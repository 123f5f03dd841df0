import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { StorageOpenError } from '../errors.js';
import type { Database } from '../kysely/database.js';

/** Options for a PostgreSQL pool. */
export interface PostgresOpenOptions {
  connectionString?: string;
  host?: string;
  port?: number;
  database?: string;
  user?: string;
  password?: string;
  poolSize: number;
}

/** An open PostgreSQL pool behind Kysely. */
export interface OpenedPostgres {
  db: Kysely<Database>;
  pool: pg.Pool;
}

const DATE_OID = 1082;

/*
 * DATE columns (users.birthdate) must stay calendar strings: pg's default parser builds a Date at
 * local midnight, which shifts the day in any zone west of UTC (spec D9: dates are YYYY-MM-DD).
 * The parser is scoped to our pool, not installed globally.
 */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === DATE_OID) return (value: string) => value;
    return pg.types.getTypeParser(oid, format as 'text');
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
  const pool = new pg.Pool({ ...connectionFields(options), max: options.poolSize, types });
  // An idle client that loses its server emits 'error' on the pool; unhandled, it kills the process.
  pool.on('error', () => undefined);
  try {
    await pool.query('SELECT 1');
  } catch (err) {
    await pool.end().catch(() => undefined);
    const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new StorageOpenError(`cannot connect to PostgreSQL at ${describeTarget(options)}: ${reason}`, { cause: err });
  }
  return { db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), pool };
}
