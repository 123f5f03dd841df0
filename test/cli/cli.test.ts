import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStorage } from '../../src/app/storage.js';
import { DEFAULT_TEST_PRAGMAS } from '../storage/pragmas.js';
import { finished, runCli, startCli, waitForLine } from './run-cli.js';

const workspaces: string[] = [];
afterAll(() => {
  for (const dir of workspaces) rmSync(dir, { recursive: true, force: true });
});

function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'authly-cli-'));
  workspaces.push(dir);
  return dir;
}

/** Lines that look like a stack trace frame. */
const STACK_FRAME = /^\s+at /m;

describe('authly with an invalid configuration', () => {
  it('lists every problem on stderr and exits 2 without a stack trace', async () => {
    const cwd = workspace();
    writeFileSync(join(cwd, 'bad.yaml'), 'database:\n  backend: mysql\nserver:\n  port: -1\nfoo: 1\nsecrets:\n  master_key: not-32-bytes\n');
    const result = await runCli(['serve', '--config', 'bad.yaml'], { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('invalid configuration (4 problems)');
    // The master key is checked with the rest (before any migration), and never echoed.
    expect(result.stderr).toContain('secrets.master_key: expected the base64url encoding of 32 bytes (43 characters), got "***"');
    expect(result.stderr).not.toContain('not-32-bytes');
    expect(result.stderr).toContain('database.backend: expected one of sqlite|memory|postgresql, got "mysql"');
    expect(result.stderr).toContain('server.port: expected number >= 0, got -1');
    expect(result.stderr).toMatch(/foo: expected a known key .*got 1/);
    expect(result.stderr).not.toMatch(STACK_FRAME);
  });
});

describe('authly serve', () => {
  it('answers /health on the SQLite default and exits 0 on SIGTERM', async () => {
    const cwd = workspace();
    const child = startCli(['serve', '--host', '127.0.0.1', '--port', '0'], { cwd });
    const result = finished(child);
    const [, url] = await waitForLine(child, /"url":"(http:\/\/[^"]+)"/);

    const response = await fetch(`${url}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'healthy', database: 'connected' });

    child.kill('SIGTERM');
    const { code, stdout, stderr } = await result;
    expect(code).toBe(0);
    // The generated admin password is shown once on the console, never in the logs.
    const password = /password: (\S+)/.exec(stderr)?.[1];
    expect(password).toBeDefined();
    expect(stdout).not.toContain(password);
  });

  it('shows the generated admin password once, and it logs in with the password grant', async () => {
    const cwd = workspace();
    const child = startCli(['serve', '--host', '127.0.0.1', '--port', '0'], { cwd });
    const result = finished(child);
    const [[, url], [, password]] = await Promise.all([
      waitForLine(child, /"url":"(http:\/\/[^"]+)"/),
      waitForLine(child, /password: (\S+)/, 'stderr'),
    ]);
    const token = await fetch(`${url}/api/v1/oauth/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'password', username: 'admin', password: password! }),
    });
    expect(token.status).toBe(200);
    expect(await token.json()).toMatchObject({ requires_password_change: true });
    child.kill('SIGTERM');
    expect((await result).code).toBe(0);

    // A second start finds the admin and prints no password.
    const again = startCli(['serve', '--host', '127.0.0.1', '--port', '0'], { cwd });
    const secondResult = finished(again);
    await waitForLine(again, /"url":"(http:\/\/[^"]+)"/);
    again.kill('SIGTERM');
    const second = await secondResult;
    expect(second.stderr).not.toContain('password:');
  });
});

describe('authly db', () => {
  it('migrates a new SQLite file, then reports it up to date, and status lists applied migrations', async () => {
    const cwd = workspace();
    const env = { AUTHLY_DATABASE__SQLITE__PATH: 'state/authly.db' };

    const first = await runCli(['db', 'migrate'], { cwd, env });
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^applied \S+$/m);

    const second = await runCli(['db', 'migrate'], { cwd, env });
    expect(second).toMatchObject({ code: 0, stdout: 'up to date\n' });

    const status = await runCli(['db', 'status'], { cwd, env });
    expect(status.code).toBe(0);
    const [header, ...rows] = status.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^MIGRATION\s+APPLIED$/);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row).toMatch(/^\S+\s+\d{4}-\d\d-\d\dT[\d:.]+Z$/);
  });

  it('prunes expired tokens and codes, keeping live ones', async () => {
    const cwd = workspace();
    const file = join(cwd, 'authly.db');
    const env = { AUTHLY_DATABASE__SQLITE__PATH: file };
    expect((await runCli(['db', 'migrate'], { cwd, env })).code).toBe(0);
    const storage = await openStorage({ backend: 'sqlite', path: file, pragmas: DEFAULT_TEST_PRAGMAS });
    const user = await storage.repositories.users.create({ username: 'u', email: 'u@example.com', passwordHash: 'h' });
    const past = new Date(Date.now() - 60_000);
    const future = new Date(Date.now() + 3_600_000);
    await storage.repositories.tokens.save({ userId: user.id, jti: 'old', tokenType: 'access', tokenValue: 'x', expiresAt: past });
    await storage.repositories.tokens.save({ userId: user.id, jti: 'live', tokenType: 'access', tokenValue: 'y', expiresAt: future });
    await storage.close();

    const pruned = await runCli(['db', 'prune'], { cwd, env });
    expect(pruned.code).toBe(0);
    expect(pruned.stdout).toContain('deleted 1 expired tokens');

    const after = await openStorage({ backend: 'sqlite', path: file, pragmas: DEFAULT_TEST_PRAGMAS });
    expect(await after.repositories.tokens.findByJti('old')).toBeUndefined();
    expect(await after.repositories.tokens.findByJti('live')).toBeDefined();
    await after.close();
  });

  it('shows migrations of a fresh database as pending', async () => {
    const cwd = workspace();
    const status = await runCli(['db', 'status'], { cwd });
    expect(status.code).toBe(0);
    const rows = status.stdout.trimEnd().split('\n').slice(1);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row).toMatch(/^\S+\s+pending$/);
  });

  it('fails with one authly: line naming the file when a directory stands where the database should be', async () => {
    const cwd = workspace();
    mkdirSync(join(cwd, 'dir.db'));
    const result = await runCli(['db', 'migrate'], { cwd, env: { AUTHLY_DATABASE__SQLITE__PATH: 'dir.db' } });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^authly: .*dir\.db.*\n$/);
  });

  it('fails with one authly: line naming the file when the database file is corrupt', async () => {
    const cwd = workspace();
    writeFileSync(join(cwd, 'junk.db'), Buffer.alloc(8192, 0x5a));
    const result = await runCli(['db', 'status'], { cwd, env: { AUTHLY_DATABASE__SQLITE__PATH: 'junk.db' } });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^authly: .*junk\.db.*\n$/);
  });

  it('prints the stack trace of a failure only when LOG_LEVEL=debug', async () => {
    const cwd = workspace();
    writeFileSync(join(cwd, 'junk.db'), Buffer.alloc(8192, 0x5a));
    const env = { AUTHLY_DATABASE__SQLITE__PATH: 'junk.db', LOG_LEVEL: 'debug' };
    const result = await runCli(['db', 'status'], { cwd, env });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(STACK_FRAME);
  });
});
