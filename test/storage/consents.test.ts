import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStorage } from '../../src/app/storage.js';
import type { Storage } from '../../src/storage/storage.js';
import { createTestDatabase } from '../helpers/postgres.js';
import { hasPostgres } from '../helpers/services.js';
import { makeClient, makeUser } from './fixtures.js';
import { DEFAULT_TEST_PRAGMAS } from './pragmas.js';

/*
 * Remembered consents: one live grant per user and client, widened by later consents, also when
 * two instances record consents at once; a revoked grant is never widened or revived.
 */
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function twoInstances(backend: 'sqlite' | 'postgresql'): Promise<[Storage, Storage]> {
  let options: Parameters<typeof openStorage>[0];
  if (backend === 'postgresql') {
    const database = await createTestDatabase('authly_consents');
    cleanups.push(() => database.drop());
    options = { backend: 'postgresql', connectionString: database.url, poolSize: 4 };
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'authly-consents-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    options = { backend: 'sqlite', path: join(dir, 'authly.db'), pragmas: DEFAULT_TEST_PRAGMAS };
  }
  const one = await openStorage(options);
  cleanups.push(() => one.close());
  await one.migrate();
  const two = await openStorage(options);
  cleanups.push(() => two.close());
  return [one, two];
}

describe.each([
  ['sqlite', true],
  ['postgresql', hasPostgres],
] as const)('ConsentRepository (%s)', (backend, available) => {
  it.skipIf(!available)('keeps one live grant per user and client, widened by concurrent consents from two instances', async () => {
    const [one, two] = await twoInstances(backend);
    const user = await one.repositories.users.create(makeUser());
    const client = await one.repositories.clients.create(makeClient());
    const now = new Date();

    const scopeSets = [['openid'], ['openid', 'profile'], ['email'], ['openid', 'offline_access'], ['read'], ['openid']];
    await Promise.all(scopeSets.map((scopes, i) => (i % 2 === 0 ? one : two).repositories.consents.remember(user.id, client.id, scopes, now)));

    const live = await one.repositories.consents.listLive(user.id);
    expect(live).toHaveLength(1);
    expect([...live[0]!.scopes].sort()).toEqual(['email', 'offline_access', 'openid', 'profile', 'read']);
    expect(live[0]).toMatchObject({ clientIdentifier: client.clientId, clientName: client.clientName, revokedAt: null });

    // Revoked: gone from the listing, not revocable twice, and a new consent is a new grant.
    expect(await two.repositories.consents.revoke(user.id, live[0]!.id, now)).toMatchObject({ id: live[0]!.id });
    expect(await one.repositories.consents.revoke(user.id, live[0]!.id, now)).toBeUndefined();
    expect(await one.repositories.consents.listLive(user.id)).toEqual([]);
    const again = await one.repositories.consents.remember(user.id, client.id, ['openid'], now);
    expect(again.id).not.toBe(live[0]!.id);
    expect(again.scopes).toEqual(['openid']);
    // Someone else cannot revoke it.
    const other = await one.repositories.users.create(makeUser());
    expect(await one.repositories.consents.revoke(other.id, again.id, now)).toBeUndefined();
  });
});
