import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openStorage } from '../../src/app/storage.js';
import { StorageOpenError } from '../../src/storage/errors.js';
import { withStatementCache } from '../../src/storage/sqlite/statement-cache.js';
import { DEFAULT_TEST_PRAGMAS } from './pragmas.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'authly-open-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function openError(file: string): Promise<StorageOpenError> {
  const err = await openStorage({ backend: 'sqlite', path: file, pragmas: DEFAULT_TEST_PRAGMAS }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StorageOpenError);
  return err as StorageOpenError;
}

describe('opening a SQLite file', () => {
  it('creates missing folders, applies the pragmas and keeps data across reopen', async () => {
    const file = path.join(dir, 'nested', 'deeper', 'authly.db');
    const first = await openStorage({ backend: 'sqlite', path: file, pragmas: DEFAULT_TEST_PRAGMAS });
    await first.migrate();
    await first.repositories.users.create({ username: 'persisted', email: 'p@example.com', passwordHash: 'h' });
    await first.close();
    await first.close(); // idempotent

    const raw = new BetterSqlite3(file);
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.close();

    const second = await openStorage({ backend: 'sqlite', path: file, pragmas: DEFAULT_TEST_PRAGMAS });
    expect((await second.repositories.users.findByUsername('PERSISTED'))?.email).toBe('p@example.com');
    await second.ping();
    await second.close();
  });

  it('names the file in a one-line error when the file is not a database', async () => {
    const file = path.join(dir, 'corrupt.db');
    fs.writeFileSync(file, Buffer.alloc(8192, 0x5a));
    const err = await openError(file);
    expect(err.message).toContain(file);
    expect(err.message).toMatch(/not a database/);
    expect(err.message).not.toContain('\n');
  });

  it('names the file when a folder stands where the database should be', async () => {
    const file = path.join(dir, 'a-folder.db');
    fs.mkdirSync(file);
    const err = await openError(file);
    expect(err.message).toContain(file);
    expect(err.message).not.toContain('\n');
  });

  it('names the file when its folder cannot be created', async () => {
    const blocker = path.join(dir, 'plain-file');
    fs.writeFileSync(blocker, 'x');
    const file = path.join(blocker, 'authly.db');
    const err = await openError(file);
    expect(err.message).toContain(file);
  });

  it('rejects a pragma value that is not a plain word instead of interpolating it', async () => {
    const err = await openStorage({
      backend: 'memory',
      pragmas: { ...DEFAULT_TEST_PRAGMAS, synchronous: 'NORMAL; DROP TABLE users' },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageOpenError);
    expect((err as Error).message).toMatch(/synchronous/);
  });
});

describe('the prepared-statement cache', () => {
  it('reuses the compiled statement for the same SQL and evicts the least recently used', () => {
    const raw = new BetterSqlite3(':memory:');
    const db = withStatementCache(raw, 2);
    const a = db.prepare('SELECT 1');
    expect(db.prepare('SELECT 1')).toBe(a);
    const b = db.prepare('SELECT 2');
    db.prepare('SELECT 1'); // touch: now SELECT 2 is the oldest
    db.prepare('SELECT 3');
    expect(db.prepare('SELECT 1')).toBe(a);
    expect(db.prepare('SELECT 2')).not.toBe(b);
    db.close();
    expect(raw.open).toBe(false);
  });
});
