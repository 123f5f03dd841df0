import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Storage } from '../../src/storage/storage.js';
import { runCli } from '../cli/run-cli.js';
import { hasRedis, REDIS_URL } from '../helpers/services.js';
import { cacheKey, keysUnder, openRawRedis } from '../helpers/raw-redis.js';
import type { RedisClient } from '../../src/cache/redis-client.js';
import { makeClient } from '../storage/fixtures.js';
import { nextInvalidation } from './events.js';
import { cachedStack, openSqliteMemory, uniquePrefix, type CachedStack } from './stacks.js';

describe('authly cache', () => {
  let cwd: string;
  beforeAll(() => {
    cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'authly-cache-cli-'));
  });
  afterAll(() => {
    fs.rmSync(cwd, { recursive: true, force: true });
  });

  it('says a memory cache has nothing shared to report', async () => {
    const result = await runCli(['cache', 'stats'], { cwd, env: { AUTHLY_CACHE__BACKEND: 'memory' } });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('nothing shared');
  });

  describe.skipIf(!hasRedis)('with Redis', () => {
    const prefix = uniquePrefix();
    let storage: Storage;
    let stack: CachedStack;
    let raw: RedisClient;
    const env = { AUTHLY_CACHE__BACKEND: 'tiered', AUTHLY_REDIS_URL: REDIS_URL, AUTHLY_REDIS__KEY_PREFIX: prefix };

    beforeAll(async () => {
      storage = await openSqliteMemory();
      stack = await cachedStack(storage.repositories, { cache: 'tiered', prefix });
      raw = openRawRedis();
    });
    afterAll(async () => {
      await stack.close();
      await storage.close();
      raw.disconnect();
    });

    it('counts keys per namespace, then flushes them and tells running servers', async () => {
      const client = await stack.repositories.clients.create(makeClient());
      await stack.repositories.clients.findByClientId(client.clientId);
      await stack.repositories.scopes.findDefaults();

      const stats = await runCli(['cache', 'stats'], { cwd, env });
      expect(stats.stderr).toBe('');
      expect(stats.stdout).toMatch(/^clients\s+3$/m); // by id, by client_id, the assignments version
      expect(stats.stdout).toMatch(/^scopes\s+2$/m); // the version key and the defaults

      const flushed = nextInvalidation(stack.store, (event) => 'all' in event, 10_000);
      const flush = await runCli(['cache', 'flush'], { cwd, env });
      expect(flush.code).toBe(0);
      expect(flush.stdout).toContain('deleted 5 keys');
      await flushed;
      expect(await keysUnder(raw, cacheKey(prefix, 'clients:'))).toEqual([]);
    });
  });
});
