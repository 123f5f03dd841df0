import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Repositories } from '../../src/repositories/repositories.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';
import { hasPostgres, hasRedis } from '../helpers/services.js';
import { makeClient, makeUser, unique } from '../storage/fixtures.js';
import { callsOf, countingRepositories, type CallCounts } from './counting.js';
import { nextInvalidation, touching } from './events.js';
import { whileReading } from './racing-readers.js';
import { cachedStack, openPostgres, uniquePrefix, type CachedStack } from './stacks.js';

/*
 * Two instances (each its own PostgreSQL pool, tiered store and Redis connections) over one
 * database and the real Redis. B's cache is warm before A writes, so a missing invalidation
 * shows up as B serving the old row.
 */
interface Instance extends CachedStack {
  calls: CallCounts;
  closeStorage(): Promise<void>;
}

describe.skipIf(!hasPostgres || !hasRedis)('coherence across instances', () => {
  const prefix = uniquePrefix();
  let database: TestDatabase;
  let a: Instance;
  let b: Instance;

  async function instance(id: string): Promise<Instance> {
    const pg = await openPostgres(database);
    const counted = countingRepositories(pg.storage.repositories);
    const stack = await cachedStack(counted.repositories, { cache: 'tiered', prefix, instanceId: id });
    expect(await stack.store.ready(0)).toBe(true);
    return { ...stack, calls: counted.calls, closeStorage: pg.close };
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    a = await instance('instance-a');
    b = await instance('instance-b');
  });
  afterAll(async () => {
    for (const i of [a, b]) {
      await i?.close();
      await i?.closeStorage();
    }
    await database?.drop();
  });

  /** Reads twice on B and checks the second read was served by B's cache. */
  async function warm(read: (repos: Repositories) => Promise<unknown>, label: string): Promise<void> {
    await read(b.repositories);
    const before = callsOf(b.calls, label);
    await read(b.repositories);
    expect(callsOf(b.calls, label)).toBe(before);
  }

  it('hides a client deactivated on A from client_id lookups on B', async () => {
    const client = await a.repositories.clients.create(makeClient());
    await warm((r) => r.clients.findByClientId(client.clientId), 'clients.findByClientId');
    const event = nextInvalidation(b.store, touching(client.id));
    await a.repositories.clients.update(client.id, { isActive: false });
    await event;
    expect(await b.repositories.clients.findByClientId(client.clientId)).toBeUndefined();
    expect((await b.repositories.clients.findById(client.id))?.isActive).toBe(false);
  });

  it('shows a user updated on A by id, username and email on B', async () => {
    const user = await a.repositories.users.create(makeUser());
    await warm((r) => r.users.findById(user.id), 'users.findById');
    await warm((r) => r.users.findByUsername(user.username), 'users.findByUsername');
    const event = nextInvalidation(b.store, touching(user.id));
    const username = unique('renamed_');
    await a.repositories.users.update(user.id, { username, givenName: 'After', isActive: false });
    await event;
    expect(await b.repositories.users.findById(user.id)).toMatchObject({ username, givenName: 'After', isActive: false });
    expect(await b.repositories.users.findByUsername(user.username)).toBeUndefined();
    expect((await b.repositories.users.findByUsername(username.toUpperCase()))?.givenName).toBe('After');
    expect((await b.repositories.users.findByEmail(user.email))?.isActive).toBe(false);
  });

  it('shows a session epoch raised on A (a logout there) on B, so B stops honouring the old browser session', async () => {
    const user = await a.repositories.users.create(makeUser());
    await warm((r) => r.users.findById(user.id), 'users.findById');
    const event = nextInvalidation(b.store, touching(user.id));
    await a.repositories.users.update(user.id, {}, { endSessions: true });
    await event;
    expect((await b.repositories.users.findById(user.id))?.sessionEpoch).toBe(user.sessionEpoch + 1);
  });

  it('stops listing a key retired on A as active on B', async () => {
    const kid = unique('kid_');
    await a.repositories.signingKeys.add({ kid, keyData: { kty: 'EC', crv: 'P-256', x: 'x', y: 'y' }, keyType: 'EC', algorithm: 'ES256' });
    // A's add already bumped the version; B's first read sees the key, the second is a hit.
    await warm((r) => r.signingKeys.listActive(), 'signingKeys.listActive');
    await warm((r) => r.signingKeys.findByKid(kid), 'signingKeys.findByKid');
    expect((await b.repositories.signingKeys.listActive()).map((k) => k.kid)).toContain(kid);
    const event = nextInvalidation(b.store, touching('signingKeys:ver'));
    await a.repositories.signingKeys.retire(kid, new Date(Date.now() + 60_000));
    await event;
    expect((await b.repositories.signingKeys.listActive()).map((k) => k.kid)).not.toContain(kid);
    expect((await b.repositories.signingKeys.findByKid(kid))?.isActive).toBe(false);
  });

  it('never returns an older value on B once the event of each write is delivered, under concurrent reads', async () => {
    const client = await a.repositories.clients.create(makeClient({ clientName: 'v0' }));
    // Readers on B keep loads in flight across A's writes, to race fills against invalidations.
    await whileReading(
      () => b.repositories.clients.findById(client.id),
      async () => {
        for (let version = 1; version <= 25; version += 1) {
          const event = nextInvalidation(b.store, touching(client.id));
          await a.repositories.clients.update(client.id, { clientName: `v${version}` });
          await event;
          expect((await b.repositories.clients.findById(client.id))?.clientName).toBe(`v${version}`);
          expect((await b.repositories.clients.findByClientId(client.clientId))?.clientName).toBe(`v${version}`);
        }
      },
    );
    // The readers were mostly served from the cache, or the test proved nothing.
    expect(b.store.stats().clients?.hits ?? 0).toBeGreaterThan(25);
  });
});
