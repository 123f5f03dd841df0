import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrationStatus, runMigrations } from '../../src/storage/migrator.js';
import type { MigrationDb } from '../../src/storage/migrator.js';
import { createTestDatabase, withPostgres as withClient } from '../helpers/postgres.js';
import type { TestDatabase } from '../helpers/postgres.js';
import { hasPostgres } from '../helpers/services.js';
import { authlyMigrations } from '../../src/storage/migrations/index.js';

/*
 * An existing Authly database is adopted, not rebuilt. The fixture stands in for
 * a database created by Authly's own init-db-and-user.sql.
 */
const AUTHLY_INIT_SQL = new URL('../fixtures/authly-init.sql', import.meta.url);
/** Every migration this build knows, in name order (the order Kysely runs them). */
const MIGRATIONS = Object.keys(authlyMigrations('postgresql')).sort();
const DATA_TABLES = [
  'users',
  'oauth_clients',
  'oauth_scopes',
  'oauth_client_scopes',
  'tokens',
  'oauth_authorization_codes',
];

function kyselyFor(url: string): MigrationDb {
  return new Kysely({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url }) }) });
}

/** Every row of every Authly data table as PostgreSQL's own JSON rendering, in a stable order. */
async function snapshotRows(url: string): Promise<Record<string, string[]>> {
  return withClient(url, async (client) => {
    const snapshot: Record<string, string[]> = {};
    for (const table of DATA_TABLES) {
      const { rows } = await client.query<{ j: string }>(
        // grant_id, auth_time, session_epoch, consent_id, the PAR/DPoP and back-channel logout columns are ours; every other byte must stay.
        `SELECT (row_to_json(t)::jsonb - 'grant_id' - 'auth_time' - 'session_epoch' - 'consent_id' - 'dpop_jkt' - 'jwks'
                 - 'require_pushed_authorization_requests' - 'dpop_bound_access_tokens'
                 - 'sid' - 'backchannel_logout_uri' - 'backchannel_logout_session_required')::text AS j FROM ${table} t ORDER BY t.id`,
      );
      snapshot[table] = rows.map((row) => row.j);
    }
    return snapshot;
  });
}

interface SchemaSnapshot {
  columns: string[];
  indexes: string[];
  constraints: string[];
  triggers: string[];
  functions: string[];
}

/**
 * The Authly schema objects, ignoring our bookkeeping tables and what our later migrations add:
 * `oidc_jwks_keys.private_key_data`, `tokens.grant_id` and its index, `oauth_authorization_codes.auth_time`,
 * `users.session_epoch`, `oauth_consents` with the `consent_id` columns and their indexes, and the three algorithm
 * CHECKs the signing-algorithms migration widens (asserted on their own below). `tokens.user_id` is shown
 * without its nullability: Authly's script declares it NOT NULL and the token-grants migration
 * relaxes it.
 */
async function snapshotSchema(url: string): Promise<SchemaSnapshot> {
  return withClient(url, async (client) => {
    const list = async (text: string): Promise<string[]> =>
      (await client.query<{ v: string }>(text)).rows.map((row) => row.v);
    return {
      columns: await list(`
        SELECT concat_ws(' | ', table_name, column_name, data_type, udt_name, character_maximum_length,
                         CASE WHEN table_name = 'tokens' AND column_name = 'user_id' THEN '-' ELSE is_nullable END,
                         column_default) AS v
        FROM information_schema.columns
        WHERE table_schema = 'public' AND table_name NOT LIKE 'authly\\_%'
          AND table_name NOT IN ('token_family_revocations', 'oauth_consents', 'audit_events', 'oauth_pushed_requests')
          AND column_name <> 'consent_id'
          AND NOT (table_name = 'oidc_jwks_keys' AND column_name = 'private_key_data')
          AND NOT (table_name = 'oauth_clients' AND column_name IN ('jwks', 'require_pushed_authorization_requests', 'dpop_bound_access_tokens'))
          AND NOT (table_name = 'oauth_authorization_codes' AND column_name IN ('dpop_jkt', 'sid'))
          AND NOT (table_name = 'oauth_clients' AND column_name IN ('backchannel_logout_uri', 'backchannel_logout_session_required'))
          AND NOT (table_name = 'tokens' AND column_name = 'grant_id')
          AND NOT (table_name = 'oauth_authorization_codes' AND column_name = 'auth_time')
          AND NOT (table_name = 'users' AND column_name = 'session_epoch')
        ORDER BY table_name, column_name`),
      indexes: await list(`
        SELECT indexname || ' | ' || indexdef AS v FROM pg_indexes
        WHERE schemaname = 'public' AND tablename NOT LIKE 'authly\\_%'
          AND tablename NOT IN ('token_family_revocations', 'oauth_consents', 'audit_events', 'oauth_pushed_requests')
          AND indexname NOT IN ('idx_tokens_grant_id', 'idx_tokens_consent_id', 'idx_oauth_authorization_codes_consent_id')
        ORDER BY indexname`),
      constraints: await list(`
        SELECT conrelid::regclass::text || ' | ' || conname || ' | ' || pg_get_constraintdef(oid) AS v
        FROM pg_constraint
        WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text NOT LIKE 'authly\\_%'
          AND conrelid::regclass::text NOT IN ('token_family_revocations', 'oauth_consents', 'audit_events', 'oauth_pushed_requests')
          AND conname NOT IN ('oidc_jwks_keys_key_type_check', 'oidc_jwks_keys_algorithm_check',
                              'oauth_clients_id_token_signed_response_alg_check')
        ORDER BY 1`),
      triggers: await list(`
        SELECT tgrelid::regclass::text || ' | ' || tgname || ' | ' || pg_get_triggerdef(oid) AS v
        FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1`),
      functions: await list(`
        SELECT proname AS v FROM pg_proc WHERE pronamespace = 'public'::regnamespace ORDER BY 1`),
    };
  });
}

/** A user, a client with arrays and localized JSON, a token and a code, as Authly writes them. */
async function insertAuthlyRows(url: string): Promise<void> {
  await withClient(url, async (client) => {
    const userId = randomUUID();
    const clientPk = randomUUID();
    await client.query(
      `INSERT INTO users (id, username, email, password_hash, given_name, birthdate, address, phone_number_verified,
                          last_login)
       VALUES ($1, 'alice', 'alice@example.com', '$2b$12$0123456789abcdefghijkl', 'Alice', '1990-02-03',
               $2::jsonb, true, '2025-03-04T05:06:07.123456Z')`,
      [userId, JSON.stringify({ formatted: 'Storgata 1\n0155 Oslo', country: 'NO' })],
    );
    await client.query(
      `INSERT INTO oauth_clients (id, client_id, client_secret_hash, client_name, client_type, redirect_uris,
                                  grant_types, scope, contacts, request_uris, client_name_localized, logo_uri_localized)
       VALUES ($1, 'client_AbCdEfGhIjKlMnOpQrStUv', '$2b$12$secret', 'Åpen klient', 'confidential', $2, $3,
               'openid profile', $4, $5, $6::jsonb, $7::jsonb)`,
      [
        clientPk,
        ['https://app.example.com/cb', 'http://localhost:8080/cb'],
        ['authorization_code', 'refresh_token'],
        ['ops@example.com'],
        [],
        JSON.stringify({ 'nb-NO': 'Åpen klient', 'en-US': 'Open client' }),
        JSON.stringify({ 'nb-NO': 'https://app.example.com/logo-nb.png' }),
      ],
    );
    await client.query(
      `INSERT INTO oauth_client_scopes (client_id, scope_id)
       SELECT $1, id FROM oauth_scopes WHERE scope_name = 'openid'`,
      [clientPk],
    );
    await client.query(
      `INSERT INTO tokens (user_id, token_jti, token_type, token_value, scope, expires_at)
       VALUES ($1, 'a3f1c2d4e5b6', 'refresh', 'eyJhbGciOiJSUzI1NiJ9.e30.sig', 'openid profile',
               now() + interval '30 days')`,
      [userId],
    );
    await client.query(
      `INSERT INTO oauth_authorization_codes (code, client_id, user_id, redirect_uri, scope, expires_at, code_challenge,
                                              nonce, prompt, max_age)
       VALUES ('code-1', $1, $2, 'https://app.example.com/cb', 'openid', now() + interval '10 minutes',
               'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', 'n-0S6_WzA2Mj', 'consent', 3600)`,
      [clientPk, userId],
    );
    // Start-up bootstrap rewrites OIDC scope descriptions; adoption must keep them.
    await client.query(`UPDATE oauth_scopes SET description = 'Rewritten by bootstrap' WHERE scope_name = 'openid'`);
  });
}

describe.skipIf(!hasPostgres)('adopting a PostgreSQL database created by Authly', () => {
  let testDb: TestDatabase;
  let db: MigrationDb;
  let rowsBefore: Record<string, string[]>;
  let schemaBefore: SchemaSnapshot;

  beforeAll(async () => {
    testDb = await createTestDatabase('authly_adopt');
    const initSql = await readFile(AUTHLY_INIT_SQL, 'utf8');
    await withClient(testDb.url, (client) => client.query(initSql));
    await insertAuthlyRows(testDb.url);
    rowsBefore = await snapshotRows(testDb.url);
    schemaBefore = await snapshotSchema(testDb.url);
    db = kyselyFor(testDb.url);
  });

  afterAll(async () => {
    await db?.destroy();
    await testDb?.drop();
  });

  it('records the baseline as adopted and applies the later migration', async () => {
    expect(await runMigrations(db, 'postgresql')).toEqual({ applied: MIGRATIONS, adoptedBaseline: true });
    const status = await migrationStatus(db, 'postgresql');
    expect(status.map((state) => state.name)).toEqual(MIGRATIONS);
    expect(status.every((state) => state.executedAt instanceof Date)).toBe(true);
  });

  it('leaves every existing row byte-for-byte unchanged', async () => {
    expect(await snapshotRows(testDb.url)).toEqual(rowsBefore);
  });

  it('does not duplicate the seed scopes', async () => {
    const rows = await db.selectFrom('oauth_scopes').select('scope_name').execute();
    expect(rows).toHaveLength(8);
  });

  it('adds no second copy of any index, constraint, trigger or function', async () => {
    expect(await snapshotSchema(testDb.url)).toEqual(schemaBefore);
  });

  it('adds token families and allows user-less tokens on the adopted tokens table', async () => {
    const { rows } = await withClient(testDb.url, (client) =>
      client.query(`SELECT column_name, is_nullable, data_type FROM information_schema.columns
                    WHERE table_name = 'tokens' AND column_name IN ('grant_id', 'user_id') ORDER BY 1`),
    );
    expect(rows).toEqual([
      { column_name: 'grant_id', is_nullable: 'YES', data_type: 'uuid' },
      { column_name: 'user_id', is_nullable: 'YES', data_type: 'uuid' },
    ]);
  });

  it('accepts EdDSA keys and EdDSA ID-token clients on the adopted database', async () => {
    // In a rolled-back transaction: the other tests compare rows with the state before adoption.
    await withClient(testDb.url, async (client) => {
      await client.query('BEGIN');
      try {
        await client.query(`INSERT INTO oidc_jwks_keys (kid, key_data, key_type, algorithm)
                            VALUES ('ed-1', '{"kty":"OKP"}', 'OKP', 'EdDSA')`);
        await client.query(`UPDATE oauth_clients SET id_token_signed_response_alg = 'EdDSA'`);
        await client.query('SAVEPOINT bad');
        await expect(
          client.query(`INSERT INTO oidc_jwks_keys (kid, key_data, key_type, algorithm) VALUES ('x', '{}', 'RSA', 'none')`),
        ).rejects.toThrow(/check constraint/);
      } finally {
        await client.query('ROLLBACK');
      }
    });
  });

  it('adds the token_family_revocations table beside the adopted tables', async () => {
    const { rows } = await withClient(testDb.url, (client) =>
      client.query(`SELECT column_name, is_nullable, data_type FROM information_schema.columns
                    WHERE table_name = 'token_family_revocations' ORDER BY 1`),
    );
    expect(rows).toEqual([
      { column_name: 'grant_id', is_nullable: 'NO', data_type: 'uuid' },
      { column_name: 'revoked_at', is_nullable: 'NO', data_type: 'timestamp with time zone' },
    ]);
  });

  it('adds the private_key_data column to the adopted oidc_jwks_keys', async () => {
    const { rows } = await withClient(testDb.url, (client) =>
      client.query(`SELECT is_nullable, data_type FROM information_schema.columns
                    WHERE table_name = 'oidc_jwks_keys' AND column_name = 'private_key_data'`),
    );
    expect(rows).toEqual([{ is_nullable: 'YES', data_type: 'text' }]);
  });

  it('adds users.session_epoch, NOT NULL DEFAULT 0, so Authly\'s users start at epoch 0', async () => {
    const { rows } = await withClient(testDb.url, (client) =>
      client.query(`SELECT is_nullable, data_type, column_default FROM information_schema.columns
                    WHERE table_name = 'users' AND column_name = 'session_epoch'`),
    );
    expect(rows).toEqual([{ is_nullable: 'NO', data_type: 'integer', column_default: '0' }]);
    const epochs = await withClient(testDb.url, (client) => client.query('SELECT DISTINCT session_epoch FROM users'));
    expect(epochs.rows).toEqual([{ session_epoch: 0 }]);
  });

  it('applies nothing when run again', async () => {
    expect(await runMigrations(db, 'postgresql')).toEqual({ applied: [], adoptedBaseline: false });
    expect(await snapshotRows(testDb.url)).toEqual(rowsBefore);
  });
});

describe.skipIf(!hasPostgres)('the PostgreSQL baseline on an empty database', () => {
  let authlyDb: TestDatabase;
  let freshDb: TestDatabase;

  beforeAll(async () => {
    [authlyDb, freshDb] = await Promise.all([createTestDatabase('authly_ref'), createTestDatabase('authly_fresh')]);
  });

  afterAll(async () => {
    await Promise.all([authlyDb?.drop(), freshDb?.drop()]);
  });

  it('builds exactly the schema Authly’s own SQL builds', async () => {
    const initSql = await readFile(AUTHLY_INIT_SQL, 'utf8');
    await withClient(authlyDb.url, (client) => client.query(initSql));
    const db = kyselyFor(freshDb.url);
    try {
      expect(await runMigrations(db, 'postgresql')).toEqual({ applied: MIGRATIONS, adoptedBaseline: false });
    } finally {
      await db.destroy();
    }
    const reference = await snapshotSchema(authlyDb.url);
    const ours = await snapshotSchema(freshDb.url);
    // The reference also holds uuid-ossp's functions; our baseline deliberately installs no extension.
    expect(ours.columns).toEqual(reference.columns);
    expect(ours.indexes).toEqual(reference.indexes);
    expect(ours.constraints).toEqual(reference.constraints);
    expect(ours.triggers).toEqual(reference.triggers);
    expect(ours.functions).toEqual(['update_updated_at_column']);
    expect(reference.functions).toContain('update_updated_at_column');
  });
});
