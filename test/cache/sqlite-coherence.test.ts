import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContainer, type Container } from '../../src/app/container.js';
import { openStorage } from '../../src/app/storage.js';
import { loadConfig } from '../../src/config/index.js';
import { makeClient, makeUser, unique } from '../storage/fixtures.js';
import { DEFAULT_TEST_PRAGMAS } from '../storage/pragmas.js';
import { whileReading } from './racing-readers.js';

/*
 * Two server containers on one SQLite file with the default `cache.backend: auto` (an in-process
 * cache each, no Redis). Neither tells the other anything: B must notice A's commits by itself,
 * so a missing check shows up as B serving the row it cached before A wrote.
 *
 * B looks for other connections' commits once per turn of the event loop, so a read on B after a
 * write on A comes a turn later (`nextRequest`), as the next request to reach B would: two real
 * processes never share a turn.
 */
const logger = pino({ level: 'silent' });

/** Waits for the next turn of the event loop, where the next request would start. */
function nextRequest(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

describe('two instances on one SQLite file with cache.backend auto', () => {
  let dir: string;
  let file: string;
  let a: Container;
  let b: Container;

  function open(): Promise<Container> {
    return createContainer(loadConfig({ env: { AUTHLY_DATABASE__BACKEND: 'sqlite', AUTHLY_DATABASE__SQLITE__PATH: file } }), { logger });
  }

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'authly-sqlite-coherence-'));
    file = path.join(dir, 'authly.db');
    a = await open();
    b = await open();
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Reads twice; the second read must be a cache hit, or the test would prove nothing. */
  async function warm(read: () => Promise<unknown>, namespace: string, on: Container = b): Promise<void> {
    await read();
    const before = on.cacheStats()?.[namespace]?.hits ?? 0;
    await read();
    expect(on.cacheStats()?.[namespace]?.hits ?? 0).toBeGreaterThan(before);
  }

  it('runs an in-process cache on SQLite by default', () => {
    expect(a.cacheStats()).toBeDefined();
    expect(b.cacheStats()).toBeDefined();
  });

  it('hides a client deactivated on A from client_id lookups on B', async () => {
    const client = await a.repositories.clients.create(makeClient());
    await warm(() => b.repositories.clients.findByClientId(client.clientId), 'clients');
    await a.repositories.clients.update(client.id, { isActive: false });
    await nextRequest();
    expect(await b.repositories.clients.findByClientId(client.clientId)).toBeUndefined();
    expect((await b.repositories.clients.findById(client.id))?.isActive).toBe(false);
  });

  it('shows a user updated on A (a logout there raises the session epoch) on B', async () => {
    const user = await a.repositories.users.create(makeUser());
    await warm(() => b.repositories.users.findById(user.id), 'users');
    await a.repositories.users.update(user.id, { givenName: 'After', isActive: false }, { endSessions: true });
    await nextRequest();
    expect(await b.repositories.users.findById(user.id)).toMatchObject({ givenName: 'After', isActive: false, sessionEpoch: user.sessionEpoch + 1 });
  });

  it('sees a write made outside any server (a CLI process with no cache at all)', async () => {
    const client = await a.repositories.clients.create(makeClient({ clientName: 'before' }));
    await warm(() => b.repositories.clients.findById(client.id), 'clients');
    const cli = await openStorage({ backend: 'sqlite', path: file, pragmas: DEFAULT_TEST_PRAGMAS });
    try {
      await cli.repositories.clients.update(client.id, { clientName: 'after' });
    } finally {
      await cli.close();
    }
    await nextRequest();
    expect((await b.repositories.clients.findById(client.id))?.clientName).toBe('after');
    expect((await a.repositories.clients.findById(client.id))?.clientName).toBe('after');
  });

  it('never returns an older value on B under concurrent reads racing A’s writes', async () => {
    const client = await a.repositories.clients.create(makeClient({ clientName: 'v0' }));
    await whileReading(
      () => b.repositories.clients.findById(client.id),
      async () => {
        for (let version = 1; version <= 25; version += 1) {
          // better-sqlite3 answers within microtasks: let the readers run (and fill) between writes.
          for (let turn = 0; turn < 3; turn += 1) await new Promise((resolve) => setImmediate(resolve));
          await a.repositories.clients.update(client.id, { clientName: `v${version}` });
          await nextRequest();
          expect((await b.repositories.clients.findById(client.id))?.clientName).toBe(`v${version}`);
          expect((await b.repositories.clients.findByClientId(client.clientId))?.clientName).toBe(`v${version}`);
        }
      },
    );
    expect(b.cacheStats()?.clients?.hits ?? 0).toBeGreaterThan(25);
  });

  it('keeps serving its own writes from the cache (its own commits do not empty it)', async () => {
    const name = unique('scope_');
    await warm(() => a.repositories.scopes.findByName('openid'), 'scopes', a);
    const before = a.cacheStats()?.scopes?.hits ?? 0;
    await a.repositories.clients.create(makeClient({ clientName: name }));
    await a.repositories.scopes.findByName('openid');
    expect(a.cacheStats()?.scopes?.hits ?? 0).toBeGreaterThan(before);
  });
});
