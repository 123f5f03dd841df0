import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codecs } from '../../src/cache/codecs.js';
import type { Storage } from '../../src/storage/storage.js';
import { hasRedis } from '../helpers/services.js';
import { cacheKey, keysUnder, openRawRedis } from '../helpers/raw-redis.js';
import type { RedisClient } from '../../src/cache/redis-client.js';
import { makeClient, makeUser } from '../storage/fixtures.js';
import { callsOf, countingRepositories } from './counting.js';
import { nextInvalidation, touching } from './events.js';
import { cachedStack, openSqliteMemory, uniquePrefix, type CachedStack } from './stacks.js';

describe.skipIf(!hasRedis)('Redis-backed stores', () => {
  const prefix = uniquePrefix();
  let storage: Storage;
  let raw: RedisClient;
  const stacks: CachedStack[] = [];

  beforeAll(async () => {
    storage = await openSqliteMemory();
    raw = openRawRedis();
  });
  afterAll(async () => {
    for (const stack of stacks) await stack.close();
    raw.disconnect();
    await storage.close();
  });

  async function stack(cache: 'redis' | 'tiered', keyPrefix = prefix): Promise<CachedStack & ReturnType<typeof countingRepositories>> {
    const counted = countingRepositories(storage.repositories);
    const opened = await cachedStack(counted.repositories, { cache, prefix: keyPrefix });
    stacks.push(opened);
    return { ...opened, calls: counted.calls };
  }

  it('revives Dates and nested values from Redis', async () => {
    const writer = await stack('redis');
    const reader = await stack('redis');
    const user = await writer.repositories.users.create(makeUser({ address: { country: 'NO' } }));
    await writer.repositories.users.findById(user.id);
    const found = await reader.repositories.users.findById(user.id);
    expect(callsOf(reader.calls, 'users.findById')).toBe(0);
    expect(found).toEqual(user);
    expect(found?.createdAt).toBeInstanceOf(Date);
  });

  it('treats a corrupt or foreign value as a miss, returns the row and repairs the key', async () => {
    const { repositories, calls, store } = await stack('redis');
    const client = await repositories.clients.create(makeClient());
    const key = cacheKey(prefix, `clients:id:${client.id}`);
    for (const junk of ['{not json', JSON.stringify({ t: 'user/1', v: { id: client.id } }), JSON.stringify({ t: 'client/1', v: { id: 1 } })]) {
      await raw.set(key, junk);
      expect(await repositories.clients.findById(client.id)).toEqual(client);
      expect(codecs.client.decode((await raw.get(key))!)).toEqual(client);
    }
    expect(callsOf(calls, 'clients.findById')).toBe(3);
    expect(store.stats().clients?.errors).toBe(3);
  });

  it('refuses to cache a row read before another instance invalidated it', async () => {
    const a = await stack('tiered');
    const b = await stack('tiered');
    const client = await a.repositories.clients.create(makeClient());
    const key = `clients:id:${client.id}`;
    // A read on B fetched the old row; A's write lands; B's fill comes last.
    const ticket = await b.store.ticket();
    const stale = { ...client, clientName: 'stale' };
    await a.store.invalidate([key]);
    await b.store.fill(key, stale, codecs.client, ticket);
    expect(await b.store.get(key, codecs.client)).toBeUndefined();
    expect(await raw.get(cacheKey(prefix, key))).not.toContain('stale');
  });

  it('refuses fills whose read began before Redis lost its data', async () => {
    const own = uniquePrefix();
    const a = await stack('redis', own);
    const client = await a.repositories.clients.create(makeClient());
    const key = `clients:id:${client.id}`;
    await a.store.invalidate(['clients:id:unrelated']); // the counter is now 1
    const ticket = await a.store.ticket();
    await raw.del(cacheKey(own, '_meta:sequence')); // a restart without persistence, or FLUSHALL
    await a.store.fill(key, client, codecs.client, ticket);
    expect(await raw.get(cacheKey(own, key))).toBeNull();
  });

  it('flushes every key under the prefix and every other instance drops its L1', async () => {
    const own = uniquePrefix();
    const a = await stack('tiered', own);
    const b = await stack('tiered', own);
    const client = await a.repositories.clients.create(makeClient());
    await b.repositories.clients.findByClientId(client.clientId);
    await b.repositories.clients.findByClientId(client.clientId);
    expect(callsOf(b.calls, 'clients.findByClientId')).toBe(1);
    expect(await keysUnder(raw, cacheKey(own, ''))).not.toHaveLength(0);

    const flushed = nextInvalidation(b.store, touching(''));
    await a.store.flush();
    await flushed;
    expect(await keysUnder(raw, cacheKey(own, ''))).toHaveLength(0);
    await b.repositories.clients.findByClientId(client.clientId);
    expect(callsOf(b.calls, 'clients.findByClientId')).toBe(2);
  });
});
