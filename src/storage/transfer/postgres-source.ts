import Cursor from 'pg-cursor';
import type pg from 'pg';
import type { PostgresEndpointOptions } from './endpoint.js';
import { connectPostgres, transferTypes } from './postgres-connection.js';
import { postgresTableNames, readPostgresSchema } from './postgres-schema.js';
import { quoteIdent } from './source.js';
import type { SourceDatabase } from './source.js';
import type { TableSchema } from './schema.js';
import type { WireRow } from './values.js';
import { detectVersion } from './version.js';

async function appliedMigrations(client: pg.Client, tables: ReadonlySet<string>): Promise<string[] | null> {
  if (!tables.has('authly_schema_migrations')) return null;
  return (await client.query<{ name: string }>('SELECT name FROM authly_schema_migrations')).rows.map((row) => row.name);
}

/**
 * Opens a PostgreSQL database for reading inside one `REPEATABLE READ READ ONLY` transaction:
 * every table is read from the same snapshot, the server refuses any write in it, and the
 * only locks are the ACCESS SHARE locks every SELECT takes, so a running server (Python Authly
 * included) keeps working. Rows are streamed through a server-side cursor (pg-cursor).
 */
export async function openPostgresSource(options: PostgresEndpointOptions, label: string): Promise<SourceDatabase> {
  const client = await connectPostgres(options);
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    // Timestamps are read as text: in UTC they carry +00, whatever the server's default zone.
    await client.query(`SET LOCAL TimeZone = 'UTC'`);
    await client.query(`SET LOCAL DateStyle = 'ISO, YMD'`);
  } catch (err) {
    await client.end().catch(() => undefined);
    throw err;
  }
  const tables = await postgresTableNames(client);
  const version = detectVersion(tables, await appliedMigrations(client, tables));
  const schema = await readPostgresSchema(client);
  let closed = false;
  return {
    label,
    dialect: 'postgresql',
    schema,
    version,
    async count(table: TableSchema) {
      const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${quoteIdent(table.name)}`);
      return Number(rows[0]?.n ?? 0);
    },
    async *rows(table: TableSchema, batchSize: number): AsyncGenerator<WireRow[]> {
      const columns = table.columns.map((column) => quoteIdent(column.name)).join(', ');
      const cursor = client.query(new Cursor<unknown[]>(`SELECT ${columns} FROM ${quoteIdent(table.name)}`, [], { rowMode: 'array', types: transferTypes }));
      try {
        for (;;) {
          const rows = await cursor.read(batchSize);
          if (rows.length === 0) break;
          yield rows as unknown as WireRow[];
        }
      } finally {
        await cursor.close();
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await client.query('ROLLBACK').catch(() => undefined);
      await client.end().catch(() => undefined);
    },
  };
}
