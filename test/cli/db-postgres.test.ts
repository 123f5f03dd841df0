import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../helpers/postgres.js';
import type { TestDatabase } from '../helpers/postgres.js';
import { hasPostgres } from '../helpers/services.js';
import { runCli } from './run-cli.js';

/** Stands in for a database created by Authly itself. */
const AUTHLY_INIT_SQL = readFileSync(new URL('../fixtures/authly-init.sql', import.meta.url), 'utf8');

describe.skipIf(!hasPostgres)('authly db on PostgreSQL (DATABASE_URL)', () => {
  let database: TestDatabase;
  let cwd: string;

  beforeAll(async () => {
    database = await createTestDatabase('authly_cli');
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      await client.query(AUTHLY_INIT_SQL);
    } finally {
      await client.end();
    }
    cwd = mkdtempSync(join(tmpdir(), 'authly-cli-pg-'));
  });

  afterAll(async () => {
    await database?.drop();
    if (cwd) rmSync(cwd, { recursive: true, force: true });
  });

  it('adopts an existing Authly schema, then reports it up to date', async () => {
    const env = { DATABASE_URL: database.url };
    const first = await runCli(['db', 'migrate'], { cwd, env });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('adopted existing Authly schema');

    const second = await runCli(['db', 'migrate'], { cwd, env });
    expect(second).toMatchObject({ code: 0, stdout: 'up to date\n' });

    const status = await runCli(['db', 'status'], { cwd, env });
    expect(status.code).toBe(0);
    expect(status.stdout).not.toContain('pending');
  });
});
