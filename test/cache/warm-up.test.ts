import { afterAll, beforeAll, expect, it } from 'vitest';
import { createCacheStore, warmUp, withCache } from '../../src/cache/index.js';
import type { Storage } from '../../src/storage/storage.js';
import { makeClient } from '../storage/fixtures.js';
import { callsOf, countingRepositories } from './counting.js';
import { openSqliteMemory, recordingLogger } from './stacks.js';

let storage: Storage;
beforeAll(async () => {
  storage = await openSqliteMemory();
});
afterAll(async () => {
  await storage.close();
});

it('loads clients, scopes and signing keys so the first requests are hits', async () => {
  const clients = [];
  for (let n = 0; n < 5; n += 1) clients.push(await storage.repositories.clients.create(makeClient(), ['openid']));
  await storage.repositories.signingKeys.add({ kid: 'warm-1', keyData: { kty: 'EC', crv: 'P-256', x: 'x', y: 'y' }, keyType: 'EC', algorithm: 'ES256' });
  const counted = countingRepositories(storage.repositories);
  const store = createCacheStore({ backend: 'memory', ttlSeconds: 60, maxSize: 1000, keyPrefix: 'w:', logger: recordingLogger() }).store!;
  const repos = withCache(counted.repositories, { store });

  const report = await warmUp(repos, { pageSize: 2 });
  expect(report).toMatchObject({ clients: 5, signingKeys: 1 });
  expect(report.scopes).toBeGreaterThan(0);

  const before = new Map(counted.calls);
  for (const client of clients) {
    expect(await repos.clients.findByClientId(client.clientId)).toEqual(client);
    expect(await repos.clients.findScopes(client.id)).toEqual(['openid']);
  }
  expect((await repos.scopes.findDefaults()).map((s) => s.scopeName)).toContain('profile');
  expect(await repos.scopes.findByName('openid')).toBeDefined();
  expect((await repos.signingKeys.listActive()).map((k) => k.kid)).toEqual(['warm-1']);
  expect(await repos.signingKeys.findByKid('warm-1')).toBeDefined();
  expect(counted.calls).toEqual(before);
  expect(callsOf(counted.calls, 'clients.findByClientId')).toBe(5);
});
