import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyDatabase, seedDatabase } from '../../src/storage/transfer/index.js';
import { createTestDatabase } from '../helpers/postgres.js';
import type { TestDatabase } from '../helpers/postgres.js';
import { hasPostgres } from '../helpers/services.js';
import { postgresEndpoint, snapshotPostgres, snapshotSqlite, sqliteEndpoint, tempDir, withSqlite } from '../storage/transfer-helpers.js';
import { finished, runCli, startCli, waitForLine } from './run-cli.js';

const NOW = new Date('2025-06-01T12:00:00.000Z');

describe('authly db seed, copy, verify, export and import', () => {
  let folder: ReturnType<typeof tempDir>;
  const at = (name: string) => path.join(folder.dir, name);

  beforeAll(() => {
    folder = tempDir('authly-cli-transfer-');
  });
  afterAll(() => folder?.remove());

  it('seeds a database, and refuses to seed it again unless --force', async () => {
    const first = await runCli(['db', 'seed', '--users', '30', '--tokens-per-user', '2', '--to', 'sqlite:a.db'], { cwd: folder.dir });
    expect(first.stderr).not.toContain('authly:');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^users\s+30$/m);
    expect(first.stdout).toMatch(/^tokens\s+60$/m);

    const again = await runCli(['db', 'seed', '--users', '5', '--to', 'sqlite:a.db'], { cwd: folder.dir });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^authly: target sqlite:a\.db is not empty \(.*\); use --merge .*\n$/);

    const replaced = await runCli(['db', 'seed', '--users', '30', '--tokens-per-user', '1', '--to', 'sqlite:a.db', '--force'], { cwd: folder.dir });
    expect(replaced.code).toBe(0);
    expect(withSqlite(at('a.db'), (db) => db.prepare('SELECT count(*) AS n FROM tokens').get())).toEqual({ n: 30 });
  });

  it('copies, then verify reports identical tables (exit 0), and a changed row as a difference (exit 1)', async () => {
    const copy = await runCli(['db', 'copy', '--from', 'sqlite:a.db', '--to', 'sqlite:b.db'], { cwd: folder.dir });
    expect(copy.code).toBe(0);
    expect(copy.stdout).toContain('copied sqlite:a.db → sqlite:b.db');
    const same = await runCli(['db', 'verify', '--from', 'sqlite:a.db', '--against', 'sqlite:b.db'], { cwd: folder.dir });
    expect(same).toMatchObject({ code: 0, stderr: expect.not.stringContaining('authly:') as unknown });
    expect(same.stdout).toMatch(/^users\s+30\s+30\s+[0-9a-f]{16}\s+[0-9a-f]{16}\s+match$/m);
    expect(same.stdout).toContain('identical: ');

    withSqlite(at('b.db'), (db) => db.exec(`UPDATE users SET given_name = 'Mallory' WHERE rowid = (SELECT min(rowid) FROM users)`));
    const differs = await runCli(['db', 'verify', '--from', 'sqlite:a.db', '--against', 'sqlite:b.db'], { cwd: folder.dir });
    expect(differs.code).toBe(1);
    expect(differs.stdout).toMatch(/^users\s+30\s+30\s+\S+\s+\S+\s+DIFFERS$/m);
    expect(differs.stdout).toMatch(/^tokens\s+.*match$/m);
    expect(differs.stderr).toMatch(/\nauthly: 1 of \d+ tables differ\n$/);
  });

  it('exports a gzip dump and imports it; --dry-run reports and leaves no database behind', async () => {
    const exported = await runCli(['db', 'export', '--from', 'sqlite:a.db', '--to', 'dump.jsonl.gz'], { cwd: folder.dir });
    expect(exported.code).toBe(0);
    expect(fs.readFileSync(at('dump.jsonl.gz')).subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    expect(fs.statSync(at('dump.jsonl.gz')).mode & 0o777).toBe(0o600);

    const dry = await runCli(['db', 'import', '--from', 'dump.jsonl.gz', '--to', 'sqlite:dry.db', '--dry-run'], { cwd: folder.dir });
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/^dry run, rolled back: would have imported dump\.jsonl\.gz → sqlite:dry\.db/);
    expect(dry.stdout).toMatch(/^users\s+30\s+30\s+0$/m);
    expect(fs.readdirSync(folder.dir).filter((name) => name.includes('dry'))).toEqual([]);

    const imported = await runCli(['db', 'import', '--from', 'dump.jsonl.gz', '--to', 'sqlite:c.db'], { cwd: folder.dir });
    expect(imported.code).toBe(0);
    const verify = await runCli(['db', 'verify', '--from', 'sqlite:a.db', '--against', 'sqlite:c.db'], { cwd: folder.dir });
    expect(verify.code).toBe(0);
  });

  it('reads a config file as written, without the environment, so DATABASE_URL cannot redirect it', async () => {
    fs.writeFileSync(at('source.yaml'), `database:\n  backend: sqlite\n  sqlite:\n    path: ${at('a.db')}\n`);
    const result = await runCli(['db', 'copy', '--from', 'source.yaml', '--to', 'sqlite:from-config.db'], {
      cwd: folder.dir,
      env: { DATABASE_URL: 'postgresql://nobody@127.0.0.1:1/nothing' },
    });
    expect(result.stderr).not.toContain('authly:');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^users\s+30\s+30\s+0$/m);
  });

  it('names a wrong source in one line', async () => {
    const result = await runCli(['db', 'copy', '--from', 'sqlite:missing.db', '--to', 'sqlite:x.db'], { cwd: folder.dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('authly: no SQLite database at missing.db\n');
    expect(fs.existsSync(at('x.db'))).toBe(false);
  });
});

/**
 * A copy killed with SIGKILL after its first progress line in the users table: the target must
 * be exactly as it was, whether it is a new SQLite file, an existing one emptied by --replace,
 * or a PostgreSQL database.
 */
describe('a copy killed mid-way', () => {
  let folder: ReturnType<typeof tempDir>;
  let source: string;
  let database: TestDatabase | undefined;

  beforeAll(async () => {
    folder = tempDir('authly-cli-kill-');
    source = path.join(folder.dir, 'source.db');
    await seedDatabase({ target: sqliteEndpoint(source), users: 6000, tokensPerUser: 2, passwordHash: '$argon2id$v=19$x', seed: 9, now: NOW });
  }, 120_000);
  afterAll(async () => {
    await database?.drop();
    folder?.remove();
  });

  async function killAfterFirstUsersLine(args: string[]): Promise<void> {
    const child = startCli(['db', 'copy', '--from', `sqlite:${source}`, ...args], { cwd: folder.dir });
    const done = finished(child);
    await waitForLine(child, /users: [\d,]+\/6,000 rows/, 'stderr');
    child.kill('SIGKILL');
    const result = await done;
    expect(result.code).toBeNull();
    expect(result.stdout).not.toContain('copied');
  }

  it('Ctrl-C (SIGINT) rolls back and says so in one line; a new SQLite file is not created', async () => {
    const target = path.join(folder.dir, 'interrupted', 'authly.db');
    const child = startCli(['db', 'copy', '--from', `sqlite:${source}`, '--to', `sqlite:${target}`], { cwd: folder.dir });
    const done = finished(child);
    await waitForLine(child, /users: [\d,]+\/6,000 rows/, 'stderr');
    child.kill('SIGINT');
    const result = await done;
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/\nauthly: interrupted; the target was left as it was\n$/);
    expect(fs.readdirSync(path.dirname(target))).toEqual([]);
  });

  it('leaves a new SQLite file absent', async () => {
    const target = path.join(folder.dir, 'new', 'authly.db');
    await killAfterFirstUsersLine(['--to', `sqlite:${target}`]);
    expect(fs.existsSync(target)).toBe(false);
  });

  it('leaves an existing SQLite file as it was, even under --replace', async () => {
    const target = path.join(folder.dir, 'existing.db');
    await seedDatabase({ target: sqliteEndpoint(target), users: 10, tokensPerUser: 1, passwordHash: '$argon2id$v=19$y', seed: 10, now: NOW });
    const before = snapshotSqlite(target);
    await killAfterFirstUsersLine(['--to', `sqlite:${target}`, '--replace']);
    expect(snapshotSqlite(target)).toEqual(before);
  });

  it.skipIf(!hasPostgres)('leaves a PostgreSQL database as it was, even under --replace', async () => {
    database = await createTestDatabase('authly_cli_kill');
    await copyDatabase({ source: sqliteEndpoint(path.join(folder.dir, 'existing.db')), target: postgresEndpoint(database.url), mode: 'empty' });
    const before = await snapshotPostgres(database.url);
    await killAfterFirstUsersLine(['--to', database.url, '--replace']);
    expect(await snapshotPostgres(database.url)).toEqual(before);
  });
});
