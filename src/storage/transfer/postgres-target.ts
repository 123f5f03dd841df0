import { createHash } from 'node:crypto';
import { Kysely, PostgresDialect } from 'kysely';
import type { DatabaseError } from 'pg';
import type pg from 'pg';
import { runMigrationsInTransaction } from '../migrator.js';
import type { PostgresEndpointOptions } from './endpoint.js';
import { TransferError } from './errors.js';
import { connectPostgres } from './postgres-connection.js';
import { postgresTableNames, readPostgresSchema } from './postgres-schema.js';
import { quoteIdent } from './source.js';
import type { TableSchema } from './schema.js';
import { chunkedInserter, insertStatement, perSize, withLifecycle } from './target.js';
import type { TableInserter, TargetDatabase } from './target.js';
import { assertKnownVersion, detectVersion } from './version.js';

/** The protocol's limit on bind parameters in one statement (a 16-bit count). */
const POSTGRES_MAX_PARAMETERS = 65_535;
/** Rows per INSERT statement. */
const POSTGRES_ROWS_PER_STATEMENT = 500;

/**
 * Kysely runs the migrations on the transfer's own connection, inside its transaction: this
 * "pool" hands out that one client and never ends it.
 */
function singleClientPool(client: pg.Client) {
  const lease = { query: client.query.bind(client), release: () => undefined };
  return { connect: () => Promise.resolve(lease), end: () => Promise.resolve() };
}

/** `users: duplicate key value violates unique constraint "users_username_key" (Key (username)=(alice) already exists.)` */
function describeFailure(table: string, err: unknown): TransferError {
  const e = err as Partial<DatabaseError>;
  const detail = typeof e.detail === 'string' && e.detail !== '' ? ` (${e.detail})` : '';
  return new TransferError(`${table}: ${e.message ?? String(err)}${detail}`, { cause: err });
}

async function recordedMigrations(client: pg.Client, tables: ReadonlySet<string>): Promise<string[] | null> {
  if (!tables.has('authly_schema_migrations')) return null;
  return (await client.query<{ name: string }>('SELECT name FROM authly_schema_migrations')).rows.map((row) => row.name);
}

/**
 * Opens a PostgreSQL target: one connection, one transaction for the migration and every row.
 * Until COMMIT nothing is visible to other sessions; if the process dies, the server rolls the
 * transaction back when the connection drops.
 */
export async function openPostgresTarget(options: PostgresEndpointOptions, label: string): Promise<TargetDatabase> {
  const client = await connectPostgres(options);
  const db = new Kysely({ dialect: new PostgresDialect({ pool: singleClientPool(client) as never }) });
  let done = false;
  const close = async (commit: boolean) => {
    if (done) return;
    done = true;
    try {
      await client.query(commit ? 'COMMIT' : 'ROLLBACK');
    } catch (err) {
      throw describeFailure('commit', err);
    } finally {
      await db.destroy();
      await client.end().catch(() => undefined);
    }
  };
  return withLifecycle(close, async () => {
    await client.query('BEGIN');
    // Zone-less timestamps from SQLite (CURRENT_TIMESTAMP's shape) are UTC.
    await client.query(`SET LOCAL TimeZone = 'UTC'`);
    const tables = await postgresTableNames(client);
    const versionBefore = detectVersion(tables, await recordedMigrations(client, tables));
    assertKnownVersion(versionBefore, `target ${label}`);
    const migration = await runMigrationsInTransaction(db, 'postgresql');
    const schema = await readPostgresSchema(client);
    return {
      label,
      dialect: 'postgresql',
      versionBefore,
      migration,
      schema,
      async hasRows(table) {
        return (await client.query(`SELECT 1 FROM ${quoteIdent(table.name)} LIMIT 1`)).rows.length > 0;
      },
      async count(table) {
        return Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${quoteIdent(table.name)}`)).rows[0]?.n ?? 0);
      },
      async columnValues(table, column, limit) {
        const { rows } = await client.query({ text: `SELECT ${quoteIdent(column)} FROM ${quoteIdent(table.name)} LIMIT ${Math.trunc(limit)}`, rowMode: 'array' });
        return rows.map((row: unknown[]) => row[0]);
      },
      async clear(toClear) {
        if (toClear.length === schema.tables.length) {
          // Every table at once: one TRUNCATE needs no order and is transactional in PostgreSQL.
          await client.query(`TRUNCATE ${toClear.map((table) => quoteIdent(table.name)).join(', ')}`);
          return;
        }
        for (const table of [...toClear].reverse()) await client.query(`DELETE FROM ${quoteIdent(table.name)}`);
      },
      inserter: (table, columns, skipExisting) => postgresInserter(client, table, columns, skipExisting),
    };
  });
}

function postgresInserter(client: pg.Client, table: TableSchema, columns: readonly string[], skipExisting: boolean): TableInserter {
  const statementFor = perSize((rows) => {
    const text = insertStatement(quoteIdent, table, columns, rows, (index) => `$${index}`, skipExisting);
    // A named statement is parsed and planned once per connection, then only bound.
    return { name: `authly_transfer_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`, text };
  });
  return chunkedInserter(POSTGRES_MAX_PARAMETERS, POSTGRES_ROWS_PER_STATEMENT, columns.length, async (chunk) => {
    try {
      return (await client.query({ ...statementFor(chunk.length), values: chunk.flat() })).rowCount ?? 0;
    } catch (err) {
      throw describeFailure(table.name, err);
    }
  });
}
