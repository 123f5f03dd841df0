import { randomUUID } from 'node:crypto';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MigrationError, migrationStatus, runMigrations } from '../../src/storage/migrator.js';
import type { MigrationDb, SqlFlavour } from '../../src/storage/migrator.js';
import type { MigrationReport, MigrationState } from '../../src/storage/storage.js';
import { createTestDatabase } from '../helpers/postgres.js';
import type { TestDatabase } from '../helpers/postgres.js';
import { hasPostgres } from '../helpers/services.js';

const MIGRATIONS = ['2025-01-01T0000-authly-baseline', '2025-01-02T0000-signing-key-private-material', '2025-01-03T0000-token-grants', '2025-01-04T0000-signing-algorithms', '2025-01-05T0000-code-auth-time', '2025-01-06T0000-user-session-epoch', '2025-01-07T0000-token-family-revocations', '2025-01-08T0000-sqlite-json-checks', '2025-01-09T0000-leases', '2025-01-13T0000-device-codes', '2025-01-13T0001-client-backchannel-logout', '2025-01-13T0002-client-registration', '2025-01-13T0003-backchannel-logout'];
const TABLES = [
  'oauth_authorization_codes',
  'oauth_client_scopes',
  'oauth_clients',
  'oauth_scopes',
  'oauth_token_scopes',
  'oidc_jwks_keys',
  'token_family_revocations',
  'tokens',
  'users',
];
const SEED_SCOPES = ['address', 'admin', 'email', 'openid', 'phone', 'profile', 'read', 'write'];
const ISO_MILLIS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const CHECK_FAILED = /CHECK constraint failed|violates check constraint/;

/** A fresh SQLite `:memory:` database with foreign keys enforced, as the storage layer opens it. */
async function openSqlite(): Promise<MigrationDb> {
  const db: MigrationDb = new Kysely({ dialect: new SqliteDialect({ database: new BetterSqlite3(':memory:') }) });
  await sql`PRAGMA foreign_keys = ON`.execute(db);
  return db;
}

/** Values the two engines accept for arrays and JSON (see src/storage/kysely/database.ts). */
function encodeArray(flavour: SqlFlavour, values: string[]): unknown {
  return flavour === 'sqlite' ? JSON.stringify(values) : values;
}

async function tableNames(db: MigrationDb, flavour: SqlFlavour): Promise<string[]> {
  const query =
    flavour === 'sqlite'
      ? sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`
      : sql<{ name: string }>`SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'`;
  const { rows } = await query.execute(db);
  return rows.map((row) => row.name).filter((name) => !name.startsWith('authly_')); // our bookkeeping: migrations, leases
}

async function insertUser(db: MigrationDb, updatedAt?: string): Promise<string> {
  const id = randomUUID();
  const suffix = id.slice(0, 8);
  await db
    .insertInto('users')
    .values({
      id,
      username: `user_${suffix}`,
      email: `${suffix}@example.com`,
      password_hash: '$2b$12$abcdefghijklmnopqrstuv',
      ...(updatedAt === undefined ? {} : { created_at: updatedAt, updated_at: updatedAt }),
    })
    .execute();
  return id;
}

function clientRow(flavour: SqlFlavour, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: randomUUID(),
    client_id: `client_${randomUUID().replaceAll('-', '').slice(0, 22)}`,
    client_name: 'Test client',
    client_type: 'public',
    redirect_uris: encodeArray(flavour, ['https://app.example.com/callback']),
    ...overrides,
  };
}

function codeRow(clientId: string, userId: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: randomUUID(),
    code: `code_${randomUUID()}`,
    client_id: clientId,
    user_id: userId,
    redirect_uri: 'https://app.example.com/callback',
    expires_at: new Date(Date.now() + 600_000).toISOString(),
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    ...overrides,
  };
}

function tokenRow(userId: string): Record<string, unknown> {
  return {
    id: randomUUID(),
    user_id: userId,
    token_jti: randomUUID().replaceAll('-', ''),
    token_type: 'access',
    token_value: 'eyJhbGciOiJSUzI1NiJ9.e30.sig',
    expires_at: new Date(Date.now() + 3_600_000).toISOString(),
  };
}

/** The behaviour both engines share; `open` yields a fresh, empty database. */
function migrationBehaviour(flavour: SqlFlavour, open: () => Promise<MigrationDb>): void {
  let db: MigrationDb;
  let statusBefore: MigrationState[];
  let first: MigrationReport;

  beforeAll(async () => {
    db = await open();
    statusBefore = await migrationStatus(db, flavour);
    first = await runMigrations(db, flavour);
  });

  afterAll(async () => {
    await db?.destroy();
  });

  it('reports every migration pending before the first run, without creating anything', async () => {
    expect(statusBefore).toEqual(MIGRATIONS.map((name) => ({ name, executedAt: null })));
  });

  it('creates every table and the eight seed scopes on an empty database', async () => {
    expect(first).toEqual({ applied: MIGRATIONS, adoptedBaseline: false });
    expect((await tableNames(db, flavour)).sort()).toEqual(TABLES);
    const scopes = await db.selectFrom('oauth_scopes').select(['scope_name', 'is_default', 'is_active']).execute();
    expect(scopes.map((scope) => scope.scope_name).sort()).toEqual(SEED_SCOPES);
    const defaults = scopes.filter((scope) => Boolean(scope.is_default)).map((scope) => scope.scope_name);
    expect(defaults).toEqual(['profile']);
    expect(scopes.every((scope) => Boolean(scope.is_active))).toBe(true);
  });

  it('does nothing when run a second time', async () => {
    expect(await runMigrations(db, flavour)).toEqual({ applied: [], adoptedBaseline: false });
    const { count } = await db
      .selectFrom('oauth_scopes')
      .select((eb) => eb.fn.countAll().as('count'))
      .executeTakeFirstOrThrow();
    expect(Number(count)).toBe(8);
  });

  it('lists both migrations as executed', async () => {
    const status = await migrationStatus(db, flavour);
    expect(status.map((state) => state.name)).toEqual(MIGRATIONS);
    for (const state of status) expect(state.executedAt).toBeInstanceOf(Date);
  });

  it('adds the nullable private_key_data column to oidc_jwks_keys', async () => {
    await db
      .insertInto('oidc_jwks_keys')
      .values({ kid: 'k1', key_data: JSON.stringify({ kty: 'RSA' }), key_type: 'RSA', algorithm: 'RS256' })
      .execute();
    const row = await db.selectFrom('oidc_jwks_keys').select('private_key_data').executeTakeFirstOrThrow();
    expect(row.private_key_data).toBeNull();
    await db.updateTable('oidc_jwks_keys').set({ private_key_data: 'enc:v1:abc' }).execute();
  });

  it('rejects a client_type other than confidential or public', async () => {
    const insert = db.insertInto('oauth_clients').values(clientRow(flavour, { client_type: 'spa' })).execute();
    await expect(insert).rejects.toThrow(CHECK_FAILED);
  });

  it('rejects a code_challenge_method other than S256', async () => {
    const userId = await insertUser(db);
    const client = clientRow(flavour);
    await db.insertInto('oauth_clients').values(client).execute();
    const insert = db
      .insertInto('oauth_authorization_codes')
      .values(codeRow(String(client.id), userId, { code_challenge_method: 'plain' }))
      .execute();
    await expect(insert).rejects.toThrow(CHECK_FAILED);
  });

  it('deletes a user’s tokens and authorization codes with the user', async () => {
    const userId = await insertUser(db);
    const client = clientRow(flavour);
    await db.insertInto('oauth_clients').values(client).execute();
    await db.insertInto('tokens').values(tokenRow(userId)).execute();
    await db.insertInto('oauth_authorization_codes').values(codeRow(String(client.id), userId)).execute();

    await db.deleteFrom('users').where('id', '=', userId).execute();

    const tokens = await db.selectFrom('tokens').select('id').where('user_id', '=', userId).execute();
    const codes = await db.selectFrom('oauth_authorization_codes').select('id').where('user_id', '=', userId).execute();
    expect(tokens).toEqual([]);
    expect(codes).toEqual([]);
    // The client survives: codes cascade from users, not the other way round.
    expect(await db.selectFrom('oauth_clients').select('id').where('id', '=', client.id).execute()).toHaveLength(1);
  });

  it('moves updated_at forward when a row is updated without setting it', async () => {
    const past = '2000-01-01T00:00:00.000Z';
    const userId = await insertUser(db, past);
    await db.updateTable('users').set({ given_name: 'Ada' }).where('id', '=', userId).execute();
    const row = await db
      .selectFrom('users')
      .select(['created_at', 'updated_at'])
      .where('id', '=', userId)
      .executeTakeFirstOrThrow();
    const updated = new Date(row.updated_at as string | Date);
    expect(updated.getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect(new Date(row.created_at as string | Date).toISOString()).toBe(past);
    if (flavour === 'sqlite') expect(row.updated_at).toMatch(ISO_MILLIS);
  });
}

describe('migrations on SQLite', () => {
  migrationBehaviour('sqlite', openSqlite);

  describe('SQLite-only encodings', () => {
    let db: MigrationDb;
    beforeAll(async () => {
      db = await openSqlite();
      await runMigrations(db, 'sqlite');
    });
    afterAll(async () => {
      await db.destroy();
    });

    it('rejects array columns that are not JSON arrays', async () => {
      for (const redirectUris of ['not json', '{"a":1}', '"https://x"']) {
        const row = clientRow('sqlite', { redirect_uris: redirectUris });
        const insert = db.insertInto('oauth_clients').values(row).execute();
        await expect(insert).rejects.toThrow(CHECK_FAILED);
      }
    });

    it('rejects JSON columns holding invalid JSON and booleans other than 0 and 1', async () => {
      const badJsonRow = clientRow('sqlite', { client_name_localized: '{oops' });
      const badJson = db.insertInto('oauth_clients').values(badJsonRow).execute();
      await expect(badJson).rejects.toThrow(CHECK_FAILED);
      const badBool = db.insertInto('oauth_clients').values(clientRow('sqlite', { is_active: 2 })).execute();
      await expect(badBool).rejects.toThrow(CHECK_FAILED);
    });

    it('fills defaults like PostgreSQL: JSON arrays, 0/1 flags, ISO timestamps, v4 UUIDs', async () => {
      const client = clientRow('sqlite');
      delete client.id;
      await db.insertInto('oauth_clients').values(client).execute();
      const row = await db
        .selectFrom('oauth_clients')
        .selectAll()
        .where('client_id', '=', client.client_id as string)
        .executeTakeFirstOrThrow();
      expect(row.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(JSON.parse(row.grant_types)).toEqual(['authorization_code', 'refresh_token']);
      expect(JSON.parse(row.response_types)).toEqual(['code']);
      expect(JSON.parse(row.contacts)).toEqual([]);
      expect([row.is_active, row.require_pkce, row.require_auth_time]).toEqual([1, 1, 0]);
      expect(row.created_at).toMatch(ISO_MILLIS);
      expect(row.application_type).toBe('web');
    });

    it('keeps an updated_at the application sets explicitly', async () => {
      const userId = await insertUser(db, '2000-01-01T00:00:00.000Z');
      const explicit = '2024-06-01T12:34:56.789Z';
      await db
        .updateTable('users')
        .set({ email: 'x@example.com', updated_at: explicit })
        .where('id', '=', userId)
        .execute();
      const row = await db.selectFrom('users').select('updated_at').where('id', '=', userId).executeTakeFirstOrThrow();
      expect(row.updated_at).toBe(explicit);
    });

    it('throws a MigrationError naming the failed migration and keeps none of its changes', async () => {
      const broken = await openSqlite();
      try {
        // oauth_scopes without UNIQUE(scope_name): the seed's ON CONFLICT (scope_name) cannot work.
        await sql`CREATE TABLE oauth_scopes (id TEXT PRIMARY KEY, scope_name TEXT)`.execute(broken);
        const error = await runMigrations(broken, 'sqlite').catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(MigrationError);
        expect((error as MigrationError).migrationName).toBe(MIGRATIONS[0]);
        expect((error as MigrationError).cause).toBeInstanceOf(Error);
        expect(await tableNames(broken, 'sqlite')).toEqual(['oauth_scopes']);
        const status = await migrationStatus(broken, 'sqlite');
        expect(status.every((state) => state.executedAt === null)).toBe(true);
      } finally {
        await broken.destroy();
      }
    });
  });
});

describe.skipIf(!hasPostgres)('migrations on PostgreSQL', () => {
  let testDb: TestDatabase;
  beforeAll(async () => {
    testDb = await createTestDatabase('authly_migrations');
  });
  afterAll(async () => {
    await testDb?.drop();
  });

  migrationBehaviour('postgresql', () => {
    const db: MigrationDb = new Kysely({
      dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: testDb.url }) }),
    });
    return Promise.resolve(db);
  });
});
