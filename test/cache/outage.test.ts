import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Storage } from '../../src/storage/storage.js';
import { hasRedis, REDIS_URL } from '../helpers/services.js';
import { makeClient, makeUser } from '../storage/fixtures.js';
import { callsOf, countingRepositories } from './counting.js';
import { nextInvalidation } from './events.js';
import { cachedStack, openSqliteMemory, recordingLogger, uniquePrefix } from './stacks.js';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js';

/*
 * Redis going away must cost speed, never correctness: reads come from the database, one log
 * line per outage, and caching resumes by itself. The shared Redis server is never stopped: the
 * store is pointed at a closed port, or at a proxy the test cuts.
 */
let storage: Storage;
beforeAll(async () => {
  storage = await openSqliteMemory();
});
afterAll(async () => {
  await storage.close();
});

describe('Redis unreachable from the start', () => {
  for (const cache of ['redis', 'tiered'] as const) {
    it(`serves every read from the database and logs once (${cache})`, async () => {
      const logger = recordingLogger();
      const counted = countingRepositories(storage.repositories);
      const stack = await cachedStack(counted.repositories, {
        cache,
        prefix: uniquePrefix(),
        logger,
        redisUrl: 'redis://127.0.0.1:1',
        maxRetryDelayMs: 50,
        readyTimeoutMs: 0,
      });
      try {
        expect(await stack.store.ready(100)).toBe(false);
        const { repositories: repos } = stack;
        const client = await repos.clients.create(makeClient(), ['openid']);
        const user = await repos.users.create(makeUser());
        for (let i = 0; i < 5; i += 1) {
          expect(await repos.clients.findByClientId(client.clientId)).toEqual(client);
          expect(await repos.clients.findScopes(client.id)).toEqual(['openid']);
          expect(await repos.users.findByUsername(user.username)).toEqual(user);
          expect((await repos.scopes.findDefaults()).map((s) => s.scopeName)).toContain('profile');
          expect(await repos.signingKeys.listActive()).toEqual(await storage.repositories.signingKeys.listActive());
        }
        await repos.users.update(user.id, { givenName: 'Changed' });
        expect((await repos.users.findById(user.id))?.givenName).toBe('Changed');
        expect(callsOf(counted.calls, 'clients.findByClientId')).toBe(5);
        expect(logger.lines.filter((l) => l.level === 'warn')).toHaveLength(1);
        expect(stack.store.stats().clients?.errors).toBeGreaterThan(0);
      } finally {
        await stack.close();
      }
    });
  }
});

describe.skipIf(!hasRedis)('Redis lost and regained', () => {
  let proxy: TcpProxy;
  beforeAll(async () => {
    proxy = await startTcpProxy(REDIS_URL);
  });
  afterAll(async () => {
    await proxy.close();
  });

  it('falls back to the database while cut off, logs once, then caches again', async () => {
    const logger = recordingLogger();
    const counted = countingRepositories(storage.repositories);
    const stack = await cachedStack(counted.repositories, { cache: 'tiered', prefix: uniquePrefix(), logger, redisUrl: proxy.url, maxRetryDelayMs: 50 });
    const { repositories: repos, store } = stack;
    try {
      const client = await repos.clients.create(makeClient());
      await repos.clients.findByClientId(client.clientId);
      await repos.clients.findByClientId(client.clientId);
      expect(callsOf(counted.calls, 'clients.findByClientId')).toBe(1);

      const warned = logger.next('warn');
      // Losing the subscription is announced as an invalidation of everything.
      const dropped = nextInvalidation(store, (event) => 'all' in event, 3000);
      await proxy.cut();
      await Promise.all([warned, dropped]);
      for (let i = 0; i < 10; i += 1) expect(await repos.clients.findByClientId(client.clientId)).toEqual(client);
      // L1 still held the client, but without the subscription it must not be trusted.
      expect(callsOf(counted.calls, 'clients.findByClientId')).toBe(11);
      await repos.clients.update(client.id, { clientName: 'During the outage' });
      expect((await repos.clients.findByClientId(client.clientId))?.clientName).toBe('During the outage');

      const recovered = logger.next('info', 5000);
      await proxy.restore();
      expect(await store.ready(5000)).toBe(true);
      await recovered;
      expect(logger.lines.filter((l) => l.level === 'warn')).toHaveLength(1);

      const hitsBefore = store.stats().clients?.hits ?? 0;
      const callsBefore = callsOf(counted.calls, 'clients.findByClientId');
      expect((await repos.clients.findByClientId(client.clientId))?.clientName).toBe('During the outage');
      expect((await repos.clients.findByClientId(client.clientId))?.clientName).toBe('During the outage');
      expect(callsOf(counted.calls, 'clients.findByClientId')).toBe(callsBefore + 1);
      expect(store.stats().clients?.hits ?? 0).toBeGreaterThan(hitsBefore);
    } finally {
      await stack.close();
    }
  });
});
