import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStorage } from '../../src/app/storage.js';
import { ConflictError } from '../../src/repositories/errors.js';
import { SqliteGroupCommit } from '../../src/storage/sqlite/group-commit.js';
import { openSqlite } from '../../src/storage/sqlite/open.js';
import type { Storage } from '../../src/storage/storage.js';
import type { NewToken } from '../../src/domain/token.js';
import { startTestServer, type TestServer } from '../helpers/app.js';
import { makeClient, makeToken } from './fixtures.js';
import { DEFAULT_TEST_PRAGMAS } from './pragmas.js';

/*
 * On SQLite, token rows arriving in one event-loop turn are committed together
 * (src/storage/sqlite/group-commit.ts). A caller hears back only after its rows committed, a bad
 * row fails only its own caller, and a Kysely transaction in progress is never joined.
 */

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'authly-group-commit-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'authly.db');
}

async function sqliteStorage(file = tempFile()): Promise<Storage> {
  const storage = await openStorage({ backend: 'sqlite', path: file, pragmas: DEFAULT_TEST_PRAGMAS });
  cleanups.push(() => storage.close());
  await storage.migrate();
  return storage;
}

/** A user-less token (client_credentials), as the token issuer records it. */
function clientToken(now: Date, overrides: Partial<NewToken> = {}): NewToken {
  return makeToken('', now, { userId: null, ...overrides });
}

/** Lets the event loop run `turns` times (each flush waits for one). */
async function turns(count: number): Promise<void> {
  for (let i = 0; i < count; i += 1) await new Promise((resolve) => setImmediate(resolve));
}

describe('token group commit (SQLite)', () => {
  it('issues, introspects and revokes every token of many concurrent client_credentials requests', async () => {
    const server: TestServer = await startTestServer('sqlite');
    cleanups.push(() => server.close());
    const basic = `Basic ${Buffer.from(`${server.confidential.client.clientId}:${server.confidential.secret}`).toString('base64')}`;
    const post = (endpoint: string, body: Record<string, string>) =>
      fetch(`${server.url}/api/v1/oauth/${endpoint}`, {
        method: 'POST',
        headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(body).toString(),
      });
    const active = async (token: string) => ((await (await post('introspect', { token })).json()) as { active: boolean }).active;

    const responses = await Promise.all(Array.from({ length: 40 }, () => post('token', { grant_type: 'client_credentials', scope: 'read' })));
    expect(responses.map((r) => r.status)).toEqual(responses.map(() => 200));
    const tokens = await Promise.all(responses.map(async (r) => ((await r.json()) as { access_token: string }).access_token));
    expect(new Set(tokens).size).toBe(40);
    expect(await Promise.all(tokens.map(active))).toEqual(tokens.map(() => true));

    const revoked = tokens.filter((_, i) => i % 2 === 0);
    expect((await Promise.all(revoked.map((token) => post('revoke', { token })))).map((r) => r.status)).toEqual(revoked.map(() => 200));
    expect(await Promise.all(tokens.map(active))).toEqual(tokens.map((token) => !revoked.includes(token)));
  });

  it('fails only the caller whose row breaks a constraint when it shares a turn with others', async () => {
    const { repositories: repos } = await sqliteStorage();
    const client = await repos.clients.create(makeClient());
    const now = new Date();
    const taken = clientToken(now, { clientId: client.id });
    await repos.tokens.addNewFamily(randomUUID(), [taken]);

    const good = Array.from({ length: 8 }, () => clientToken(now, { clientId: client.id }));
    const duplicate = clientToken(now, { clientId: client.id, jti: taken.jti });
    const companion = clientToken(now, { tokenType: 'refresh' });
    const outcomes = await Promise.allSettled([
      ...good.slice(0, 4).map((token) => repos.tokens.addNewFamily(randomUUID(), [token])),
      // A caller's rows stay all-or-nothing: its good refresh row goes with its bad access row.
      repos.tokens.addNewFamily(randomUUID(), [companion, duplicate]),
      ...good.slice(4).map((token) => repos.tokens.addNewFamily(randomUUID(), [token])),
    ]);

    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
    expect((outcomes[4] as PromiseRejectedResult).reason).toBeInstanceOf(ConflictError);
    for (const token of good) expect((await repos.tokens.findByJti(token.jti))?.invalidated).toBe(false);
    expect(await repos.tokens.findByJti(companion.jti)).toBeUndefined();
  });

  it('refuses only the rotation into a revoked family among concurrent ones', async () => {
    const { repositories: repos } = await sqliteStorage();
    const now = new Date();
    const user = await repos.users.create({ username: `u_${randomUUID()}`, email: `${randomUUID()}@example.com`, passwordHash: 'x' });
    const [revokedFamily, liveFamily] = [randomUUID(), randomUUID()];
    await repos.tokens.revokeFamily(revokedFamily, now);
    const late = makeToken(user.id, now);
    const live = makeToken(user.id, now);

    const [intoRevoked, intoLive] = await Promise.all([
      repos.tokens.addToFamily(revokedFamily, [late], now),
      repos.tokens.addToFamily(liveFamily, [live], now),
    ]);

    expect([intoRevoked, intoLive]).toEqual([false, true]);
    expect((await repos.tokens.findByJti(late.jti))?.invalidated).toBe(true);
    expect((await repos.tokens.findByJti(live.jti))?.invalidated).toBe(false);
  });

  it('writes the rows queued when storage closes before closing', async () => {
    const file = tempFile();
    const storage = await openStorage({ backend: 'sqlite', path: file, pragmas: DEFAULT_TEST_PRAGMAS });
    await storage.migrate();
    const token = clientToken(new Date());
    const added = storage.repositories.tokens.addNewFamily(randomUUID(), [token]);
    await storage.close();
    await added;

    const reopened = await sqliteStorage(file);
    expect((await reopened.repositories.tokens.findByJti(token.jti))?.jti).toBe(token.jti);
  });
});

describe('SqliteGroupCommit', () => {
  function table() {
    const { db, raw } = openSqlite({ path: tempFile(), pragmas: DEFAULT_TEST_PRAGMAS });
    cleanups.push(() => db.destroy());
    raw.exec('CREATE TABLE t (id TEXT PRIMARY KEY, note TEXT)');
    const commits: number[] = [];
    const writer = new SqliteGroupCommit(raw, { table: 't', columns: ['id', 'note'], onQuery: (seconds) => commits.push(seconds) });
    const ids = () => (raw.prepare('SELECT id FROM t ORDER BY id').pluck().all() as string[]);
    return { raw, writer, commits, ids };
  }

  it('commits the rows of every caller of one turn in one transaction', async () => {
    const { writer, commits, ids } = table();
    await Promise.all(['a', 'b', 'c', 'd'].map((id) => writer.write([{ id }])));
    expect(commits).toHaveLength(1);
    expect(ids()).toEqual(['a', 'b', 'c', 'd']);
  });

  it('fails only the caller with a bad row, retrying the others of its batch one by one', async () => {
    const { writer, commits, ids } = table();
    await writer.write([{ id: 'taken' }]);
    const outcomes = await Promise.allSettled([writer.write([{ id: 'a' }]), writer.write([{ id: 'b' }, { id: 'taken' }]), writer.write([{ id: 'c' }])]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(String((outcomes[1] as PromiseRejectedResult).reason)).toMatch(/UNIQUE constraint failed/);
    // One commit for the first write, then the failed batch retried as one transaction per caller.
    expect(commits).toHaveLength(3);
    expect(ids()).toEqual(['a', 'c', 'taken']);
  });

  it('lets exactly one of several compare-and-sets on one row in one turn win, and tells each caller after the commit', async () => {
    const { raw, writer, commits } = table();
    await writer.write([{ id: 'a', note: 'valid' }]);
    const spend = () => writer.change('UPDATE t SET note = ? WHERE id = ? AND note = ?', ['spent', 'a', 'valid']);
    // Rows of other callers join the same transaction.
    const [first, second, , third] = await Promise.all([spend(), spend(), writer.write([{ id: 'b' }]), spend()]);
    expect([first, second, third]).toEqual([1, 0, 0]);
    expect(commits).toHaveLength(2);
    expect(raw.prepare("SELECT note FROM t WHERE id = 'a'").pluck().get()).toBe('spent');
  });

  it('keeps a compare-and-set whose batch failed: retried alone, it still wins once', async () => {
    const { raw, writer } = table();
    await writer.write([{ id: 'a', note: 'valid' }, { id: 'taken' }]);
    const spend = () => writer.change('UPDATE t SET note = ? WHERE id = ? AND note = ?', ['spent', 'a', 'valid']);
    const outcomes = await Promise.allSettled([spend(), writer.write([{ id: 'taken' }]), spend()]);
    expect(outcomes.map((o) => (o.status === 'fulfilled' ? o.value : 'rejected'))).toEqual([1, 'rejected', 0]);
    expect(raw.prepare("SELECT note FROM t WHERE id = 'a'").pluck().get()).toBe('spent');
  });

  it('waits for a transaction in progress on the connection instead of writing inside it', async () => {
    const { raw, writer, ids } = table();
    raw.exec('BEGIN');
    let settled = false;
    const written = writer.write([{ id: 'outside', note: null }]).finally(() => (settled = true));
    await turns(5);
    expect(settled).toBe(false);
    raw.exec('ROLLBACK');
    await written;
    expect(ids()).toEqual(['outside']);
  });
});
