import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveEndpoint } from '../../src/app/database-endpoint.js';
import { copyDatabase, exportDatabase, importDump, seedDatabase, TransferError } from '../../src/storage/transfer/index.js';
import type { Endpoint, ImportMode } from '../../src/storage/transfer/index.js';
import { createTestDatabase } from '../helpers/postgres.js';
import type { TestDatabase } from '../helpers/postgres.js';
import { hasPostgres } from '../helpers/services.js';
import { postgresEndpoint, snapshotPostgres, snapshotSqlite, sqliteEndpoint, tempDir, withPostgres, withSqlite } from './transfer-helpers.js';

const NOW = new Date('2025-06-01T12:00:00.000Z');

/** The promise fails with a one-line TransferError matching `pattern`. */
async function expectRefused(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(TransferError);
  const message = (error as Error).message;
  expect(message).toMatch(pattern);
  expect(message).not.toContain('\n');
}

/** A dump whose text was changed by `edit`, written beside the good one. */
function editedDump(good: string, name: string, edit: (text: string) => string): string {
  const file = path.join(path.dirname(good), name);
  fs.writeFileSync(file, edit(fs.readFileSync(good, 'utf8')));
  return file;
}

interface TargetCase {
  name: string;
  endpoint: () => Endpoint;
  snapshot: () => Promise<unknown>;
  /** Gives a target row the username of a row in the dump. */
  collide: (username: string) => Promise<void>;
}

describe('bad input leaves the target exactly as it was', () => {
  let folder: ReturnType<typeof tempDir>;
  let good: string;
  let firstUsername: string;
  let database: TestDatabase | undefined;
  const targets: TargetCase[] = [];

  beforeAll(async () => {
    folder = tempDir('authly-transfer-errors-');
    const source = path.join(folder.dir, 'source.db');
    await seedDatabase({ target: sqliteEndpoint(source), users: 40, tokensPerUser: 2, passwordHash: '$argon2id$v=19$x', seed: 1, now: NOW });
    good = path.join(folder.dir, 'good.jsonl');
    await exportDatabase({ source: sqliteEndpoint(source), file: good, now: NOW });
    firstUsername = withSqlite(source, (db) => (db.prepare('SELECT username FROM users ORDER BY username LIMIT 1').get() as { username: string }).username);

    // Targets that hold the source's rows but three users (and their tokens), so that --merge
    // has rows to insert before the bad input is found.
    const missing = `SELECT id FROM users ORDER BY username LIMIT 3`;
    const existing = path.join(folder.dir, 'existing.db');
    await copyDatabase({ source: sqliteEndpoint(source), target: sqliteEndpoint(existing), mode: 'empty' });
    withSqlite(existing, (db) => {
      db.pragma('foreign_keys = ON');
      db.exec(`DELETE FROM users WHERE id IN (${missing})`);
    });
    targets.push({
      name: 'an existing SQLite file',
      endpoint: () => sqliteEndpoint(existing),
      snapshot: () => Promise.resolve(snapshotSqlite(existing)),
      collide: (username) => Promise.resolve(void withSqlite(existing, (db) => db.prepare('UPDATE users SET username = ? WHERE id = (SELECT id FROM users ORDER BY username DESC LIMIT 1)').run(username))),
    });
    const fresh = path.join(folder.dir, 'fresh', 'authly.db');
    targets.push({
      name: 'a SQLite file that does not exist yet',
      endpoint: () => sqliteEndpoint(fresh),
      snapshot: () => Promise.resolve({ file: snapshotSqlite(fresh), folder: fs.existsSync(path.dirname(fresh)) ? fs.readdirSync(path.dirname(fresh)) : [] }),
      collide: () => Promise.resolve(),
    });
    if (hasPostgres) {
      database = await createTestDatabase('authly_transfer_err');
      const url = database.url;
      await copyDatabase({ source: sqliteEndpoint(source), target: postgresEndpoint(url), mode: 'empty' });
      await withPostgres(url, (client) => client.query(`DELETE FROM users WHERE id IN (${missing})`));
      targets.push({
        name: 'a PostgreSQL database',
        endpoint: () => postgresEndpoint(url),
        snapshot: () => snapshotPostgres(url),
        collide: (username) => withPostgres(url, async (client) => void (await client.query('UPDATE users SET username = $1 WHERE id = (SELECT id FROM users ORDER BY username DESC LIMIT 1)', [username]))),
      });
    }
  });

  afterAll(async () => {
    await database?.drop();
    folder?.remove();
  });

  const modeFor = (target: TargetCase): ImportMode => (target.name.includes('does not exist') ? 'empty' : 'merge');

  async function refusedAndUnchanged(file: string, pattern: RegExp): Promise<void> {
    for (const target of targets) {
      const before = await target.snapshot();
      await expectRefused(importDump({ file, target: target.endpoint(), mode: modeFor(target) }), pattern);
      expect(await target.snapshot(), target.name).toEqual(before);
    }
  }

  it('a truncated file', async () => {
    const text = fs.readFileSync(good);
    const cut = path.join(folder.dir, 'cut.jsonl');
    fs.writeFileSync(cut, text.subarray(0, Math.floor(text.length * 0.7)));
    await refusedAndUnchanged(cut, /cut\.jsonl is truncated/);
  });

  it('a truncated gzip file', async () => {
    const gz = zlib.gzipSync(fs.readFileSync(good));
    const cut = path.join(folder.dir, 'cut.jsonl.gz');
    fs.writeFileSync(cut, gz.subarray(0, Math.floor(gz.length * 0.7)));
    await refusedAndUnchanged(cut, /cut\.jsonl\.gz is truncated/);
  });

  it('a file from a newer schema version', async () => {
    const newer = editedDump(good, 'newer.jsonl', (text) => text.replace(/"schema_version":"[^"]+"/, '"schema_version":"2999-01-01T0000-from-the-future"'));
    await refusedAndUnchanged(newer, /schema version 2999-01-01T0000-from-the-future, newer than this build of authly knows/);
  });

  it('a file that is not a dump', async () => {
    const other = path.join(folder.dir, 'notes.txt');
    fs.writeFileSync(other, 'hello\n');
    await refusedAndUnchanged(other, /notes\.txt is not an authly dump/);
  });

  it('a row the target refuses (a CHECK), named by its table', async () => {
    const bad = editedDump(good, 'bad-row.jsonl', (text) => text.replace('"access"', '"bogus"'));
    await refusedAndUnchanged(bad, /^tokens: .*(CHECK|check)/);
  });

  it('a row altered after export (checksums in the closing line)', async () => {
    const altered = editedDump(good, 'altered.jsonl', (text) => text.replace('"Mozilla/5.0', '"Mozilla/6.0'));
    await refusedAndUnchanged(altered, /altered\.jsonl is damaged: table tokens does not match its closing line/);
  });

  it('a target that holds data, without --merge or --replace', async () => {
    for (const target of targets.filter((t) => modeFor(t) === 'merge')) {
      const before = await target.snapshot();
      await expectRefused(importDump({ file: good, target: target.endpoint(), mode: 'empty' }), /is not empty \(.*users: 37 rows.*\); use --merge .* or --replace/);
      expect(await target.snapshot()).toEqual(before);
    }
  });

  it('a target with a row that conflicts on a unique key (--merge)', async () => {
    for (const target of targets.filter((t) => modeFor(t) === 'merge')) {
      await target.collide(firstUsername);
      const before = await target.snapshot();
      await expectRefused(importDump({ file: good, target: target.endpoint(), mode: 'merge' }), /^users: .*(UNIQUE constraint failed: users\.username|users_username_key)/);
      expect(await target.snapshot(), target.name).toEqual(before);
    }
  });

  it('a wrong URL, an unreachable server, a target that vanishes', async () => {
    expect(() => resolveEndpoint('mysql://db.example/authly', undefined)).toThrow(/unsupported database URL scheme mysql/);
    expect(() => resolveEndpoint('./no-such-config.yaml', undefined)).toThrow(/neither a database URL .* nor an existing config file/);
    const source = sqliteEndpoint(path.join(folder.dir, 'source.db'));
    await expectRefused(copyDatabase({ source, target: resolveEndpoint('postgresql://postgres@127.0.0.1:1/authly', undefined), mode: 'empty' }), /cannot connect to PostgreSQL at 127\.0\.0\.1:1\/authly/);
    await expectRefused(copyDatabase({ source, target: resolveEndpoint('sqlite::memory:', undefined), mode: 'empty' }), /sqlite::memory: cannot be a target/);
    await expectRefused(copyDatabase({ source, target: source, mode: 'replace' }), /source and target are the same database/);
  });
});
