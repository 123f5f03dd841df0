import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authlyMigrationProvider } from '../../src/storage/migrations/index.js';
import { MIGRATION_LOCK_TABLE, MIGRATION_TABLE } from '../../src/storage/migrator.js';
import { openStorage } from '../../src/app/storage.js';
import { copyDatabase, exportDatabase, importDump, verifyDatabases } from '../../src/storage/transfer/index.js';
import type { VerifyReport } from '../../src/storage/transfer/index.js';
import { createTestDatabase } from '../helpers/postgres.js';
import type { TestDatabase } from '../helpers/postgres.js';
import { hasPostgres } from '../helpers/services.js';
import { migratedSqlite, postgresEndpoint, PRAGMAS, sqliteEndpoint, tempDir, withPostgres, withSqlite } from './transfer-helpers.js';

const U1 = '0b6f2d2e-6f0a-4c1e-9a55-1a2b3c4d5e01';
const U2 = '0b6f2d2e-6f0a-4c1e-9a55-1a2b3c4d5e02';
const C1 = '1c6f2d2e-6f0a-4c1e-9a55-1a2b3c4d5e01';
const C2 = '1c6f2d2e-6f0a-4c1e-9a55-1a2b3c4d5e02';
const S1 = '2c6f2d2e-6f0a-4c1e-9a55-1a2b3c4d5e01';
const T1 = '3c6f2d2e-6f0a-4c1e-9a55-1a2b3c4d5e01';
const T2 = '3c6f2d2e-6f0a-4c1e-9a55-1a2b3c4d5e02';

/**
 * Rows exercising every column kind as SQLite stores them: unicode and emoji, NULLs, empty and
 * non-empty arrays, a nested JSON address, millisecond timestamps, booleans, integers, a NULL
 * user on a client_credentials token.
 */
function writeRichRows(file: string): void {
  withSqlite(file, (db) => {
    db.pragma('foreign_keys = ON');
    const address = JSON.stringify({ street_address: 'Straße 1\nHinterhof', locality: 'Kraków', country: 'PL', nested: { floor: 3, tags: ['a', 'ü'], none: null, empty: {} } });
    const user = db.prepare(`INSERT INTO users (id, username, email, password_hash, created_at, updated_at, last_login, is_active, is_verified, is_admin,
      requires_password_change, given_name, family_name, middle_name, nickname, preferred_username, profile, picture, website, gender, birthdate,
      zoneinfo, locale, phone_number, phone_number_verified, address) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    user.run(U1, 'zoë_😀', 'zoe@example.com', '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA', '2025-03-04T05:06:07.123Z', '2025-03-05T01:02:03.004Z', '2025-03-06T00:00:00.999Z', 1, 0, 1, 0,
      'Zoë', '王', 'Ł', '🚀 Ace "the" \'one\'', '', 'https://p.example/ü', null, null, 'non-binary', '1990-02-28', 'Europe/Oslo', 'nb-NO', '+47 123 45 678', 1, address);
    user.run(U2, 'nulls', 'nulls@example.com', 'x', '2025-03-04T05:06:07.000Z', null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null);
    const client = db.prepare(`INSERT INTO oauth_clients (id, client_id, client_secret_hash, client_name, client_type, redirect_uris, grant_types, response_types,
      scope, is_active, created_at, updated_at, require_pkce, token_endpoint_auth_method, default_max_age, require_auth_time, request_uris, contacts,
      client_name_localized, id_token_signed_response_alg) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    client.run(C1, 'client_ü', 'hmac-sha256$abc', 'Äpp 🎉', 'confidential', '["https://a.example/cb","https://b.example/ü?x=1"]', '["authorization_code","refresh_token","client_credentials"]', '["code"]',
      'openid profile', 1, '2025-01-01T00:00:00.001Z', '2025-01-01T00:00:00.002Z', 0, 'client_secret_post', 0, 1, '[]', '["ops@example.com","ü@example.com"]', '{"ja-JP":"アプリ","en":"App"}', 'EdDSA');
    client.run(C2, 'client_public', null, 'SPA', 'public', '[]', '[]', '[]', null, 0, '2025-01-01T00:00:00.000Z', null, 1, 'none', null, null, null, null, null, null);
    db.prepare(`INSERT INTO oauth_scopes (id, scope_name, description, is_default, is_active) VALUES (?, 'api:read', 'Lire l''API 📖', 1, 0)`).run(S1);
    db.prepare(`INSERT INTO oauth_client_scopes (id, client_id, scope_id, created_at) VALUES ('4c6f2d2e-6f0a-4c1e-9a55-1a2b3c4d5e01', ?, ?, '2025-01-01T00:00:00.500Z')`).run(C1, S1);
    const token = db.prepare(`INSERT INTO tokens (id, user_id, client_id, token_jti, token_type, token_value, scope, invalidated, invalidated_at, expires_at,
      created_at, created_by_ip, user_agent, grant_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    token.run(T1, U1, C1, 'jti-1', 'access', 'digest-1', 'openid profile', 0, null, '2025-03-04T06:06:07.999Z', '2025-03-04T05:06:07.999Z', '2001:db8::1', 'Mozilla/5.0 ☃', '5c6f2d2e-6f0a-4c1e-9a55-1a2b3c4d5e01');
    token.run(T2, null, C2, 'jti-2', 'refresh', 'digest-2', null, 1, '2025-03-04T05:07:00.010Z', '2025-03-11T05:06:07.000Z', '2025-03-04T05:06:07.000Z', null, null, null);
    db.prepare(`INSERT INTO oauth_token_scopes (id, token_id, scope_id, created_at) VALUES ('6c6f2d2e-6f0a-4c1e-9a55-1a2b3c4d5e01', ?, ?, NULL)`).run(T1, S1);
    db.prepare(`INSERT INTO oauth_authorization_codes (id, code, client_id, user_id, redirect_uri, scope, expires_at, created_at, used_at, is_used, code_challenge,
      code_challenge_method, nonce, state, response_mode, display, prompt, max_age, ui_locales, id_token_hint, login_hint, acr_values, auth_time)
      VALUES ('7c6f2d2e-6f0a-4c1e-9a55-1a2b3c4d5e01', 'code-digest', ?, ?, 'https://a.example/cb', 'openid', '2025-03-04T05:16:07.123Z', '2025-03-04T05:06:07.123Z',
      NULL, 0, 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', 'S256', 'nönce', 'st@te', 'form_post', 'popup', 'consent', 0, 'nb ja', NULL, 'zoë', NULL, '2025-03-04T05:06:00.456Z')`).run(C1, U1);
    db.prepare(`INSERT INTO oidc_jwks_keys (kid, key_data, key_type, algorithm, key_use, is_active, created_at, expires_at, key_size, curve, private_key_data)
      VALUES ('kid-1', '{"kty":"EC","crv":"P-256","x":"eA","y":"eQ","alg":"ES256"}', 'EC', 'ES256', 'sig', 1, '2025-01-01T00:00:00.000Z', NULL, 256, 'P-256', 'v1.sealed')`).run();
  });
}

function expectIdentical(report: VerifyReport): void {
  const differing = report.tables.filter((table) => !table.match).map((table) => table.table);
  expect(differing).toEqual([]);
  expect(report.differences).toBe(0);
  expect(report.tables.length).toBeGreaterThanOrEqual(8);
}

describe.skipIf(!hasPostgres)('moving between SQLite and PostgreSQL', () => {
  const databases: TestDatabase[] = [];
  let folder: ReturnType<typeof tempDir>;
  let source: string;

  beforeAll(async () => {
    folder = tempDir('authly-transfer-');
    source = path.join(folder.dir, 'source.db');
    await migratedSqlite(source);
    writeRichRows(source);
  });

  afterAll(async () => {
    for (const database of databases) await database.drop();
    folder?.remove();
  });

  async function newPostgres(): Promise<string> {
    const database = await createTestDatabase('authly_transfer');
    databases.push(database);
    return database.url;
  }

  it('SQLite → PostgreSQL → SQLite leaves verify reporting identical content for every table', async () => {
    const pgUrl = await newPostgres();
    const back = path.join(folder.dir, 'back.db');
    const there = await copyDatabase({ source: sqliteEndpoint(source), target: postgresEndpoint(pgUrl), mode: 'empty' });
    expect(there.tables.find((table) => table.table === 'users')).toMatchObject({ rows: 2, inserted: 2 });
    expectIdentical(await verifyDatabases({ left: sqliteEndpoint(source), right: postgresEndpoint(pgUrl) }));

    await copyDatabase({ source: postgresEndpoint(pgUrl), target: sqliteEndpoint(back), mode: 'empty' });
    expectIdentical(await verifyDatabases({ left: postgresEndpoint(pgUrl), right: sqliteEndpoint(back) }));
    expectIdentical(await verifyDatabases({ left: sqliteEndpoint(source), right: sqliteEndpoint(back) }));

    // What the application reads back is the same, value for value.
    const before = await openStorage({ backend: 'sqlite', path: source, pragmas: PRAGMAS });
    const after = await openStorage({ backend: 'sqlite', path: back, pragmas: PRAGMAS });
    try {
      for (const id of [U1, U2]) expect(await after.repositories.users.findById(id)).toEqual(await before.repositories.users.findById(id));
      for (const id of [C1, C2]) expect(await after.repositories.clients.findById(id)).toEqual(await before.repositories.clients.findById(id));
      expect(await after.repositories.tokens.findByJti('jti-2')).toEqual(await before.repositories.tokens.findByJti('jti-2'));
      expect((await after.repositories.users.findById(U1))?.address).toEqual({ street_address: 'Straße 1\nHinterhof', locality: 'Kraków', country: 'PL', nested: { floor: 3, tags: ['a', 'ü'], none: null, empty: {} } });
    } finally {
      await before.close();
      await after.close();
    }
  });

  it('a gzip dump of PostgreSQL imports into SQLite with identical content', async () => {
    const pgUrl = await newPostgres();
    await copyDatabase({ source: sqliteEndpoint(source), target: postgresEndpoint(pgUrl), mode: 'empty' });
    const file = path.join(folder.dir, 'dump.jsonl.gz');
    const exported = await exportDatabase({ source: postgresEndpoint(pgUrl), file });
    expect(exported.header.dialect).toBe('postgresql');
    const imported = path.join(folder.dir, 'from-dump.db');
    await importDump({ file, target: sqliteEndpoint(imported), mode: 'empty' });
    expectIdentical(await verifyDatabases({ left: sqliteEndpoint(source), right: sqliteEndpoint(imported) }));
  });

  it('keeps PostgreSQL microseconds between PostgreSQL databases and compares at milliseconds against SQLite, saying so', async () => {
    const first = await newPostgres();
    const second = await newPostgres();
    await copyDatabase({ source: sqliteEndpoint(source), target: postgresEndpoint(first), mode: 'empty' });
    await withPostgres(first, (client) => client.query(`UPDATE tokens SET created_at = '2025-03-04 05:06:07.999876+00' WHERE id = $1`, [T1]));
    const file = path.join(folder.dir, 'micro.jsonl');
    await exportDatabase({ source: postgresEndpoint(first), file });
    await importDump({ file, target: postgresEndpoint(second), mode: 'empty' });

    const between = await verifyDatabases({ left: postgresEndpoint(first), right: postgresEndpoint(second) });
    expectIdentical(between);
    expect(between.notes).toEqual([]);
    const stored = await withPostgres(second, async (client) => (await client.query(`SELECT to_char(created_at AT TIME ZONE 'UTC', 'US') AS us FROM tokens WHERE id = $1`, [T1])).rows[0].us);
    expect(stored).toBe('999876');

    const againstSqlite = await verifyDatabases({ left: postgresEndpoint(second), right: sqliteEndpoint(source) });
    expectIdentical(againstSqlite);
    expect(againstSqlite.notes.join('\n')).toContain('timestamps compared to the millisecond');
  });

  it('--merge skips rows whose key exists and adds the missing ones, catching up an earlier copy', async () => {
    const earlier = path.join(folder.dir, 'earlier.db');
    await copyDatabase({ source: sqliteEndpoint(source), target: sqliteEndpoint(earlier), mode: 'empty' });
    withSqlite(earlier, (db) => {
      db.pragma('foreign_keys = ON');
      db.prepare('DELETE FROM users WHERE id = ?').run(U1);
    });
    const report = await copyDatabase({ source: sqliteEndpoint(source), target: sqliteEndpoint(earlier), mode: 'merge' });
    const counts = Object.fromEntries(report.tables.map((table) => [table.table, [table.inserted, table.skipped]]));
    // U1 came back with the token, code and token scope that went with it by cascade.
    expect(counts).toMatchObject({ users: [1, 1], tokens: [1, 1], oauth_authorization_codes: [1, 0], oauth_token_scopes: [1, 0], oauth_clients: [0, 2] });
    expectIdentical(await verifyDatabases({ left: sqliteEndpoint(source), right: sqliteEndpoint(earlier) }));
  });

  it('--merge into a SQLite file of an older schema keeps its own rows through a pending table rebuild', async () => {
    // A file migrated up to the migration before the JSON-check rebuild, as an older release left it.
    const older = path.join(folder.dir, 'older.db');
    const db = new Kysely({ dialect: new SqliteDialect({ database: new BetterSqlite3(older) }) });
    try {
      const migrator = new Migrator({ db, provider: authlyMigrationProvider('sqlite'), migrationTableName: MIGRATION_TABLE, migrationLockTableName: MIGRATION_LOCK_TABLE });
      const result = await migrator.migrateTo('2025-01-07T0000-token-family-revocations');
      expect(result.error).toBeUndefined();
    } finally {
      await db.destroy();
    }
    // Its own seed scopes would clash with the source's by name (a --merge limitation).
    withSqlite(older, (raw) => raw.exec('DELETE FROM oauth_scopes'));
    writeRichRows(older);
    // A token only the target has: the rebuild of `users` must not take it away by cascade.
    withSqlite(older, (raw) =>
      raw
        .prepare(`INSERT INTO tokens (id, user_id, token_jti, token_type, token_value, invalidated, expires_at, created_at) VALUES (?, ?, 'jti-own', 'access', 'digest-own', 0, '2030-01-01T00:00:00.000Z', '2025-03-04T05:06:07.000Z')`)
        .run('3c6f2d2e-6f0a-4c1e-9a55-1a2b3c4d5e03', U1),
    );
    await copyDatabase({ source: sqliteEndpoint(source), target: sqliteEndpoint(older), mode: 'merge' });
    const tokens = withSqlite(older, (raw) => (raw.prepare('SELECT token_jti FROM tokens ORDER BY token_jti').all() as { token_jti: string }[]).map((r) => r.token_jti));
    expect(tokens).toEqual(['jti-1', 'jti-2', 'jti-own']);
    expect(withSqlite(older, (raw) => raw.pragma('foreign_key_check'))).toEqual([]);
  });

  it('reports a changed row as a difference in its table only', async () => {
    const changed = path.join(folder.dir, 'changed.db');
    await copyDatabase({ source: sqliteEndpoint(source), target: sqliteEndpoint(changed), mode: 'empty' });
    withSqlite(changed, (db) => db.prepare(`UPDATE users SET nickname = 'someone else' WHERE id = ?`).run(U1));
    const report = await verifyDatabases({ left: sqliteEndpoint(source), right: sqliteEndpoint(changed) });
    expect(report.differences).toBe(1);
    expect(report.tables.filter((table) => !table.match).map((table) => table.table)).toEqual(['users']);
  });

  it('carries a column and a table this tool has never heard of, as a later migration would add them', async () => {
    const extended = path.join(folder.dir, 'extended.db');
    await copyDatabase({ source: sqliteEndpoint(source), target: sqliteEndpoint(extended), mode: 'empty' });
    withSqlite(extended, (db) => {
      db.exec(`ALTER TABLE users ADD COLUMN future_epoch INTEGER NOT NULL DEFAULT 0`);
      db.exec(`CREATE TABLE future_markers (marker_id TEXT PRIMARY KEY NOT NULL, user_id TEXT REFERENCES users (id) ON DELETE CASCADE, revoked_at TEXT NOT NULL)`);
      db.prepare(`UPDATE users SET future_epoch = 7 WHERE id = ?`).run(U1);
      db.prepare(`INSERT INTO future_markers VALUES ('5c6f2d2e-6f0a-4c1e-9a55-1a2b3c4d5e01', ?, '2025-03-04T05:06:07.321Z')`).run(U1);
    });
    const pgUrl = await newPostgres();
    const target = await openStorage({ backend: 'postgresql', connectionString: pgUrl, poolSize: 1 });
    await target.migrate();
    await target.close();
    await withPostgres(pgUrl, async (client) => {
      await client.query(`ALTER TABLE users ADD COLUMN future_epoch INTEGER NOT NULL DEFAULT 0`);
      await client.query(`CREATE TABLE future_markers (marker_id UUID PRIMARY KEY, user_id UUID REFERENCES users (id) ON DELETE CASCADE, revoked_at TIMESTAMPTZ NOT NULL)`);
    });

    const report = await copyDatabase({ source: sqliteEndpoint(extended), target: postgresEndpoint(pgUrl), mode: 'empty' });
    // The new table comes after the users it references.
    const order = report.tables.map((table) => table.table);
    expect(order.indexOf('future_markers')).toBeGreaterThan(order.indexOf('users'));
    expectIdentical(await verifyDatabases({ left: sqliteEndpoint(extended), right: postgresEndpoint(pgUrl) }));
    const epoch = await withPostgres(pgUrl, async (client) => (await client.query(`SELECT future_epoch FROM users WHERE id = $1`, [U1])).rows[0].future_epoch);
    expect(epoch).toBe(7);
  });
});
