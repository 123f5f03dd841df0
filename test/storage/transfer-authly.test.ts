import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import bcrypt from 'bcryptjs';
import { SignJWT } from 'jose';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApplication } from '../../src/app/application.js';
import type { Application } from '../../src/app/application.js';
import { loadConfig } from '../../src/config/index.js';
import { openSource } from '../../src/storage/transfer/open.js';
import { runCli } from '../cli/run-cli.js';
import { createTestDatabase } from '../helpers/postgres.js';
import type { TestDatabase } from '../helpers/postgres.js';
import { hasPostgres, PG_ADMIN_URL } from '../helpers/services.js';
import { postgresEndpoint, snapshotPostgres, tempDir, withPostgres, withSqlite } from './transfer-helpers.js';

/** Python Authly's own schema script (reconstructed), as a database Authly created itself. */
const AUTHLY_INIT_SQL = readFileSync(new URL('../fixtures/authly-init.sql', import.meta.url), 'utf8');
const PASSWORD = 'Original-Passw0rd!';
const CLIENT_SECRET = 'authly-generated-client-secret-value';
const JWT_SECRET_KEY = 'authly-access-secret-at-least-32-bytes!!';
const JWT_REFRESH_SECRET_KEY = 'authly-refresh-secret-at-least-32-bytes!';

/**
 * Rows as Python Authly writes them (spec of its repositories): bcrypt password and client-secret
 * hashes, the full HS256 JWT in tokens.token_value with client_id NULL, scopes linked to the client.
 */
async function writeAuthlyRows(url: string): Promise<{ userId: string; accessJwt: string }> {
  const userId = randomUUID();
  const accessJwt = await new SignJWT({ sub: userId, jti: randomBytes(32).toString('hex'), scope: 'read' })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(JWT_SECRET_KEY));
  await withPostgres(url, async (client) => {
    await client.query(AUTHLY_INIT_SQL);
    await client.query(
      `INSERT INTO users (id, username, email, password_hash, is_active, is_verified, given_name, address, created_at, updated_at)
       VALUES ($1, 'margaret', 'margaret@example.com', $2, true, true, 'Margaret', $3, clock_timestamp(), clock_timestamp())`,
      [userId, bcrypt.hashSync(PASSWORD, 4), JSON.stringify({ locality: 'Zürich', country: 'CH' })],
    );
    const clientId = randomUUID();
    await client.query(
      `INSERT INTO oauth_clients (id, client_id, client_secret_hash, client_name, client_type, redirect_uris, grant_types, scope, token_endpoint_auth_method)
       VALUES ($1, 'client_authly', $2, 'Authly client', 'confidential', ARRAY['https://app.example.com/cb'], ARRAY['client_credentials'], 'read', 'client_secret_basic')`,
      [clientId, bcrypt.hashSync(CLIENT_SECRET, 4)],
    );
    await client.query(`INSERT INTO oauth_client_scopes (client_id, scope_id) SELECT $1, id FROM oauth_scopes WHERE scope_name = 'read'`, [clientId]);
    await client.query(
      `INSERT INTO tokens (user_id, token_jti, token_type, token_value, scope, expires_at) VALUES ($1, $2, 'access', $3, 'read', now() + interval '1 hour')`,
      [userId, randomBytes(32).toString('hex'), accessJwt],
    );
  });
  return { userId, accessJwt };
}

describe.skipIf(!hasPostgres)('adopting a Python Authly PostgreSQL database into SQLite', () => {
  let database: TestDatabase;
  let folder: ReturnType<typeof tempDir>;
  let file: string;
  let readOnlyRole: string;
  let authly: { userId: string; accessJwt: string };
  let copyOutput: { code: number | null; stdout: string; stderr: string };
  let sourceBefore: Record<string, string[]>;
  let app: Application;

  beforeAll(async () => {
    database = await createTestDatabase('authly_adopt');
    folder = tempDir('authly-adopt-');
    file = path.join(folder.dir, 'data', 'authly.db');
    authly = await writeAuthlyRows(database.url);
    // Python Authly may still run on the source: the copy gets a role that can only read.
    readOnlyRole = `authly_ro_${randomBytes(4).toString('hex')}`;
    const dbName = new URL(database.url).pathname.slice(1);
    await withPostgres(database.url, async (client) => {
      await client.query(`CREATE ROLE ${readOnlyRole} LOGIN`);
      await client.query(`GRANT CONNECT ON DATABASE "${dbName}" TO ${readOnlyRole}`);
      await client.query(`GRANT USAGE ON SCHEMA public TO ${readOnlyRole}`);
      await client.query(`GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${readOnlyRole}`);
    });
    sourceBefore = await snapshotPostgres(database.url);
    const readOnlyUrl = new URL(database.url);
    readOnlyUrl.username = readOnlyRole;
    copyOutput = await runCli(['db', 'copy', '--from', readOnlyUrl.toString(), '--to', `sqlite:${file}`], { cwd: folder.dir });
    const config = loadConfig({
      env: {
        AUTHLY_DATABASE__SQLITE__PATH: file,
        AUTHLY_SECRETS__MASTER_KEY: randomBytes(32).toString('base64url'),
        AUTHLY_LOGGING__LEVEL: 'silent',
        JWT_ALGORITHM: 'HS256',
        JWT_SECRET_KEY,
        JWT_REFRESH_SECRET_KEY,
      },
    });
    app = await createApplication(config, { logger: pino({ level: 'silent' }), version: 'test' });
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await database?.drop();
    if (readOnlyRole) await withPostgres(PG_ADMIN_URL, (client) => client.query(`DROP ROLE IF EXISTS ${readOnlyRole}`));
    folder?.remove();
  });

  it('copies read-only: the source is neither migrated nor written, and the report names what it kept', async () => {
    expect(copyOutput.stderr).not.toContain('authly:');
    expect(copyOutput.code).toBe(0);
    expect(copyOutput.stdout).toContain('source schema: Authly (Python) schema');
    expect(copyOutput.stdout).toContain('1 bcrypt password hashes kept');
    expect(copyOutput.stdout).toContain('1 bcrypt client-secret hashes kept');
    expect(copyOutput.stdout).toContain('JWT_SECRET_KEY');
    expect(await snapshotPostgres(database.url)).toEqual(sourceBefore);
    expect(Object.keys(sourceBefore)).not.toContain('authly_schema_migrations');
  });

  it('reads in a snapshot that does not block a running server, and does not see its later writes', async () => {
    const source = await openSource(postgresEndpoint(database.url));
    try {
      const users = source.schema.tables.find((table) => table.name === 'users')!;
      const rows = source.rows(users, 1)[Symbol.asyncIterator]();
      await rows.next();
      // Python Authly keeps writing while the snapshot is open; a lock would make this time out.
      await withPostgres(database.url, async (client) => {
        await client.query(`SET statement_timeout = '5s'`);
        await client.query(`UPDATE users SET last_login = now() WHERE id = $1`, [authly.userId]);
        await client.query(`INSERT INTO users (username, email, password_hash) VALUES ('late', 'late@example.com', 'x')`);
      });
      await rows.return?.();
      expect(await source.count(users)).toBe(1);
    } finally {
      await source.close();
      await withPostgres(database.url, (client) => client.query(`DELETE FROM users WHERE username = 'late'`));
      await withPostgres(database.url, (client) => client.query(`UPDATE users SET last_login = NULL WHERE id = $1`, [authly.userId]));
    }
  });

  it('stores the digest of each token Authly kept in clear', () => {
    const values = withSqlite(file, (db) => db.prepare(`SELECT token_value FROM tokens`).all() as { token_value: string }[]);
    expect(values).toEqual([{ token_value: createHash('sha256').update(authly.accessJwt).digest('base64url') }]);
  });

  it('logs the user in with the original password through the token endpoint, then upgrades the bcrypt hash', async () => {
    const response = await app.server.inject({
      method: 'POST',
      url: '/api/v1/oauth/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ grant_type: 'password', username: 'margaret', password: PASSWORD }).toString(),
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ token_type: 'Bearer' });
    const wrong = await app.server.inject({
      method: 'POST',
      url: '/api/v1/oauth/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ grant_type: 'password', username: 'margaret', password: 'not-it' }).toString(),
    });
    expect(wrong.statusCode).toBe(400);
    const stored = withSqlite(file, (db) => (db.prepare(`SELECT password_hash FROM users WHERE id = ?`).get(authly.userId) as { password_hash: string }).password_hash);
    expect(stored).toMatch(/^\$argon2id\$/);
  });

  it("authenticates the client with its Authly secret, then replaces the bcrypt hash by the server's keyed hash", async () => {
    const basic = Buffer.from(`client_authly:${CLIENT_SECRET}`).toString('base64');
    const request = () =>
      app.server.inject({
        method: 'POST',
        url: '/api/v1/oauth/token',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${basic}` },
        payload: 'grant_type=client_credentials&scope=read',
      });
    expect((await request()).statusCode).toBe(200);
    const stored = withSqlite(file, (db) => (db.prepare(`SELECT client_secret_hash FROM oauth_clients WHERE client_id = 'client_authly'`).get() as { client_secret_hash: string }).client_secret_hash);
    expect(stored).toMatch(/^hmac-sha256\$/);
    expect((await request()).statusCode).toBe(200);
    const forged = Buffer.from('client_authly:wrong-secret').toString('base64');
    const refused = await app.server.inject({
      method: 'POST',
      url: '/api/v1/oauth/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${forged}` },
      payload: 'grant_type=client_credentials&scope=read',
    });
    expect(refused.statusCode).toBe(401);
  });

  it('does not accept a token Python Authly issued, even with its HS256 secrets: users sign in again', async () => {
    const response = await app.server.inject({ method: 'GET', url: '/api/v1/users/me', headers: { authorization: `Bearer ${authly.accessJwt}` } });
    expect(response.statusCode).toBe(401);
  });
});
