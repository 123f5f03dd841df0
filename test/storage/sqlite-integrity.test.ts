import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { authlyMigrations, SQLITE_JSON_CHECKS_MIGRATION } from '../../src/storage/migrations/index.js';
import type { MigrationDb } from '../../src/storage/migrations/index.js';
import { MIGRATION_LOCK_TABLE, MIGRATION_TABLE, runMigrations } from '../../src/storage/migrator.js';
import { startCli, waitForLine } from '../cli/run-cli.js';
import { startTestServer } from '../helpers/app.js';
import { startLoad } from '../helpers/load.js';
import { seedDatabase, tokenRequest } from '../helpers/seed.js';
import { hasSqliteCli, integrityCheck } from '../helpers/sqlite-cli.js';
import { DEFAULT_TEST_PRAGMAS } from './pragmas.js';

/*
 * Operators check a SQLite file with Debian's sqlite3 shell (3.40), whose json_valid(NULL) is 0:
 * `PRAGMA integrity_check` must still say `ok` on a healthy database, after the server made and
 * used it, and after the server was killed mid-write.
 */
const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) fs.rmSync(folder, { recursive: true, force: true });
});

function tempFile(): string {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'authly-integrity-'));
  folders.push(folder);
  return path.join(folder, 'authly.db');
}

function open(file: string): MigrationDb {
  const raw = new BetterSqlite3(file);
  raw.pragma('foreign_keys = ON');
  return new Kysely({ dialect: new SqliteDialect({ database: raw }) });
}

/** The schema as it was before the JSON-check migration: every migration that sorts before it. */
async function migrateBeforeJsonChecks(db: MigrationDb): Promise<void> {
  const earlier = Object.fromEntries(Object.entries(authlyMigrations('sqlite')).filter(([name]) => name < SQLITE_JSON_CHECKS_MIGRATION));
  const migrator = new Migrator({
    db,
    provider: { getMigrations: () => Promise.resolve(earlier) },
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: MIGRATION_LOCK_TABLE,
  });
  const { error } = await migrator.migrateToLatest();
  if (error) throw error;
}

async function schemaObjects(db: MigrationDb): Promise<string[]> {
  const { rows } = await sql<{ type: string; name: string }>`
    SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_autoindex%' ORDER BY type, name`.execute(db);
  return rows.map((row) => `${row.type} ${row.name}`);
}

describe.skipIf(!hasSqliteCli)('SQLite integrity_check with the sqlite3 shell', () => {
  it(`${SQLITE_JSON_CHECKS_MIGRATION} repairs a database with NULL JSON columns, keeping rows, children, indexes and triggers`, async () => {
    const file = tempFile();
    const db = open(file);
    try {
      await migrateBeforeJsonChecks(db);
      const userId = randomUUID();
      const clientId = randomUUID();
      // NULL address, NULL contacts/request_uris: the columns the old CHECKs trip over.
      await sql`INSERT INTO users (id, username, email, password_hash) VALUES (${userId}, 'ann', 'ann@example.com', 'x')`.execute(db);
      await sql`INSERT INTO oauth_clients (id, client_id, client_name, client_type, redirect_uris, contacts, request_uris)
        VALUES (${clientId}, 'app', 'App', 'public', '["https://app.example.com/cb"]', NULL, NULL)`.execute(db);
      await sql`INSERT INTO tokens (id, user_id, client_id, token_jti, token_type, token_value, expires_at)
        VALUES (${randomUUID()}, ${userId}, ${clientId}, 'jti-1', 'access', 'v', '2999-01-01T00:00:00.000Z')`.execute(db);
      await sql`INSERT INTO oauth_authorization_codes (id, code, client_id, user_id, redirect_uri, expires_at, code_challenge)
        VALUES (${randomUUID()}, 'code-1', ${clientId}, ${userId}, 'https://app.example.com/cb', '2999-01-01T00:00:00.000Z', 'c')`.execute(db);
      const objectsBefore = await schemaObjects(db);
      expect(integrityCheck(file)).toMatch(/CHECK constraint failed in (users|oauth_clients)/);

      const report = await runMigrations(db, 'sqlite');
      expect(report.applied).toContain(SQLITE_JSON_CHECKS_MIGRATION);

      expect(integrityCheck(file)).toBe('ok');
      // Every index and trigger is back (later migrations may add objects, and
      // 2025-01-14T0000-sqlite-token-indexes drops the token indexes no query needs), and no
      // rebuild is left over.
      const dropped = ['index idx_tokens_jti', 'index idx_tokens_scope', 'index idx_tokens_user_id', 'index idx_tokens_active_sessions'];
      const objectsAfter = await schemaObjects(db);
      expect(objectsAfter).toEqual(expect.arrayContaining(objectsBefore.filter((object) => !dropped.includes(object))));
      expect(objectsAfter.filter((object) => object.includes('__rebuild'))).toEqual([]);
      // Dropping the old parent tables cascaded into nothing: the children are all there.
      const count = async (table: string) =>
        Number((await sql<{ n: number }>`SELECT count(*) AS n FROM ${sql.table(table)}`.execute(db)).rows[0]?.n);
      expect(await count('tokens')).toBe(1);
      expect(await count('oauth_authorization_codes')).toBe(1);
      expect((await sql`PRAGMA foreign_key_check`.execute(db)).rows).toEqual([]);
      expect((await sql<{ foreign_keys: number }>`PRAGMA foreign_keys`.execute(db)).rows[0]?.foreign_keys).toBe(1);
      // The rules still hold: bad JSON is refused, NULL accepted, the updated_at trigger fires.
      await expect(sql`UPDATE users SET address = 'not json' WHERE id = ${userId}`.execute(db)).rejects.toThrow(/CHECK constraint failed/);
      await expect(sql`UPDATE oauth_clients SET contacts = '{}' WHERE id = ${clientId}`.execute(db)).rejects.toThrow(/CHECK constraint failed/);
      await sql`UPDATE users SET updated_at = '2000-01-01T00:00:00.000Z' WHERE id = ${userId}`.execute(db);
      await sql`UPDATE users SET given_name = 'Ann' WHERE id = ${userId}`.execute(db);
      const { rows } = await sql<{ updated_at: string }>`SELECT updated_at FROM users WHERE id = ${userId}`.execute(db);
      expect(rows[0]?.updated_at).not.toBe('2000-01-01T00:00:00.000Z');
      // Deleting a user still cascades (foreign keys are enforced on the rebuilt table).
      await sql`DELETE FROM users WHERE id = ${userId}`.execute(db);
      expect(await count('tokens')).toBe(0);
    } finally {
      await db.destroy();
    }
  });

  it('says ok on a database the server created and used (audit events stored too)', async () => {
    const server = await startTestServer('sqlite', { AUTHLY_RATE_LIMIT__ENABLED: 'false', AUTHLY_AUDIT__SINK: 'database' });
    const file = server.app.container.config.database.sqlite.path;
    try {
      const basic = `Basic ${Buffer.from(`${server.confidential.client.clientId}:${server.confidential.secret}`).toString('base64')}`;
      for (let i = 0; i < 5; i++) expect((await tokenRequest(server.url, basic)).status).toBe(200);
      const registration = await fetch(`${server.url}/api/v1/users/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'bob', email: 'bob@example.com', password: 'long-enough-password' }),
      });
      expect(registration.status).toBe(201);
      await server.app.close();
      // close() wrote the buffered audit events: the audit_events CHECKs are judged by Debian's sqlite3 too.
      expect(integrityCheck(file)).toBe('ok');
    } finally {
      await server.close();
    }
  });

  it('says ok after the server is killed with SIGKILL under load', async () => {
    const file = tempFile();
    const seeded = await seedDatabase({ backend: 'sqlite', path: file, pragmas: DEFAULT_TEST_PRAGMAS });
    const child = startCli(['serve', '--host', '127.0.0.1', '--port', '0'], {
      cwd: path.dirname(file),
      env: {
        AUTHLY_DATABASE__SQLITE__PATH: file,
        AUTHLY_SECRETS__MASTER_KEY: seeded.masterKey,
        AUTHLY_ADMIN__BOOTSTRAP: 'false',
        AUTHLY_RATE_LIMIT__ENABLED: 'false',
      },
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const [, url] = await waitForLine(child, /"url":"(http:\/\/[^"]+)"/);
    child.stdout.on('data', () => undefined);
    const load = startLoad(6, () => tokenRequest(url!, seeded.basic));
    // Kill once writes are certainly under way.
    while ((load.report.statuses.get(200) ?? 0) < 50) await new Promise((resolve) => setTimeout(resolve, 20));
    child.kill('SIGKILL');
    await exited;
    await load.stop();
    expect(integrityCheck(file)).toBe('ok');
  });
});
