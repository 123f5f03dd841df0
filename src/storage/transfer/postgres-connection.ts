import pg from 'pg';
import { connectionFields, describeTarget } from '../postgres/open.js';
import { TransferError } from './errors.js';
import type { PostgresEndpointOptions } from './endpoint.js';
import { normaliseTimestamp } from './timestamps.js';

// https://github.com/postgres/postgres/blob/master/src/include/catalog/pg_type.dat
const OID = { int8: 20, json: 114, date: 1082, timestamp: 1114, timestamptz: 1184, jsonb: 3802 } as const;

/*
 * Type parsers of a transfer connection: values keep the precision and the exact text the server
 * sent. Timestamps stay text (a JS Date would drop PostgreSQL's microseconds), JSON stays text
 * (a dump or SQLite stores it as text; parsing would cost time and change nothing), dates stay
 * calendar strings, and BIGINT becomes a number when it is one exactly.
 */
const parsers: Record<number, (text: string) => unknown> = {
  [OID.timestamptz]: (text) => normaliseTimestamp(text, 6),
  [OID.timestamp]: (text) => normaliseTimestamp(text, 6),
  [OID.date]: (text) => text,
  [OID.json]: (text) => text,
  [OID.jsonb]: (text) => text,
  [OID.int8]: (text) => (Number.isSafeInteger(Number(text)) ? Number(text) : text),
};

/** The type parsers above over pg's defaults, for a client or a cursor. */
export const transferTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    return parsers[oid] ?? pg.types.getTypeParser(oid, format as 'text');
  },
} as pg.CustomTypesConfig;

/** Connects one client (not a pool: a transfer is one session, one transaction). */
export async function connectPostgres(options: PostgresEndpointOptions): Promise<pg.Client> {
  const client = new pg.Client({ ...connectionFields(options), types: transferTypes });
  // A connection lost mid-transfer surfaces as the failing query's error; this keeps the
  // client's own 'error' event from killing the process first.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => undefined);
    const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new TransferError(`cannot connect to PostgreSQL at ${describeTarget(options)}: ${reason}`, { cause: err });
  }
  return client;
}
