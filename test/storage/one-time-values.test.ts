import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Storage } from '../../src/storage/storage.js';
import { openMigratedStorage, type MigratedStorage } from '../helpers/migrated-storage.js';
import { hasPostgres } from '../helpers/services.js';
import { makeClient, unique } from './fixtures.js';

for (const backend of ['sqlite', 'postgresql'] as const) {
  describe.skipIf(backend === 'postgresql' && !hasPostgres)(`replay guards and pushed requests (${backend})`, () => {
    let storage: Storage;
    let opened: MigratedStorage | undefined;

    beforeAll(async () => {
      opened = await openMigratedStorage(backend, 'authly_onetime', 10);
      storage = opened.storage;
    });
    afterAll(async () => {
      await opened?.dispose();
    });

    it('lets exactly one of many concurrent first uses of a value through, and refuses it until it expires', async () => {
      const guard = storage.repositories.replayGuard;
      const now = new Date();
      const until = new Date(now.getTime() + 60_000);
      const key = unique('jti');
      const results = await Promise.all(Array.from({ length: 10 }, () => guard.firstUse(key, until, now)));
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await guard.firstUse(key, until, new Date(now.getTime() + 30_000))).toBe(false);
      // Once its record has expired the value may be recorded again (the proof or assertion itself is long dead).
      expect(await guard.firstUse(key, new Date(now.getTime() + 180_000), new Date(now.getTime() + 120_000))).toBe(true);
      expect(await guard.deleteExpired(new Date(now.getTime() + 200_000), 100)).toBeGreaterThanOrEqual(1);
    });

    it('gives a pushed request to one of many concurrent takers, only to the client that pushed it', async () => {
      const client = await storage.repositories.clients.create(makeClient());
      const other = await storage.repositories.clients.create(makeClient());
      const now = new Date();
      const hash = unique('request-uri');
      await storage.repositories.pushedRequests.save({ requestUriHash: hash, clientId: client.id, parameters: { scope: 'openid', state: 'x' }, expiresAt: new Date(now.getTime() + 60_000), createdAt: now });
      expect(await storage.repositories.pushedRequests.take(hash, other.id)).toBeUndefined();
      const taken = await Promise.all(Array.from({ length: 5 }, () => storage.repositories.pushedRequests.take(hash, client.id)));
      const winners = taken.filter((t) => t !== undefined);
      expect(winners).toHaveLength(1);
      expect(winners[0]).toMatchObject({ clientId: client.id, parameters: { scope: 'openid', state: 'x' } });
    });
  });
}
