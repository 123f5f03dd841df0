import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createApplication, type Application } from '../../src/app/application.js';
import { pruneExpired } from '../../src/app/pruner.js';
import { openStorage } from '../../src/app/storage.js';
import { loadConfig } from '../../src/config/index.js';
import type { Repositories } from '../../src/repositories/repositories.js';
import { TestClock } from '../crypto/helpers.js';
import { eventually } from '../helpers/load.js';
import { sharedDatabaseEnv } from '../helpers/database-env.js';
import { hasPostgres } from '../helpers/services.js';
import { makeClient, makeCode, makeToken, makeUser } from './fixtures.js';
import { DEFAULT_TEST_PRAGMAS } from './pragmas.js';

/*
 * database.prune_interval_seconds: the server deletes expired tokens and codes itself, and of
 * several instances on one database exactly one does it per interval (a lease row decides).
 */
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function instances(backend: 'sqlite' | 'postgresql', count: number, env: Record<string, string>, clock?: TestClock): Promise<Application[]> {
  const config = loadConfig({
    env: {
      ...(await sharedDatabaseEnv(backend, (remove) => cleanups.push(remove))),
      AUTHLY_SECRETS__MASTER_KEY: randomBytes(32).toString('base64url'),
      AUTHLY_ADMIN__BOOTSTRAP: 'false',
      ...env,
    },
  });
  const apps: Application[] = [];
  for (let i = 0; i < count; i++) {
    const app = await createApplication(config, { logger: pino({ level: 'silent' }), version: 'test', ...(clock ? { clock } : {}) });
    cleanups.push(() => app.close());
    apps.push(app);
  }
  return apps;
}

/** Adds `expired` tokens and codes that expired a second before `now`, and one live token. */
async function seed(repos: Repositories, now: Date, expired: number): Promise<{ liveJti: string }> {
  const user = await repos.users.create(makeUser());
  const client = await repos.clients.create(makeClient(), []);
  const past = new Date(now.getTime() - 1000);
  for (let i = 0; i < expired; i++) {
    await repos.tokens.save(makeToken(user.id, now, { expiresAt: past }));
    await repos.authorizationCodes.save(makeCode(client.id, user.id, now, { expiresAt: past }));
  }
  const live = makeToken(user.id, now, { expiresAt: new Date(now.getTime() + 3_600_000) });
  await repos.tokens.save(live);
  return { liveJti: live.jti };
}

describe.each([
  ['postgresql', hasPostgres],
  ['sqlite', true],
] as const)('the in-process pruner (%s)', (backend, available) => {
  it.skipIf(!available)('runs on one of two instances per interval and removes only expired rows', async () => {
    const clock = new TestClock();
    const [one, two] = await instances(backend, 2, { AUTHLY_DATABASE__PRUNE_INTERVAL_SECONDS: '60' }, clock);
    const repos = one!.container.repositories;
    const prunedBy: string[] = [];
    for (let interval = 0; interval < 3; interval++) {
      if (interval > 0) clock.advance(60);
      const { liveJti } = await seed(repos, clock.now(), 3);
      // Both instances' timers fire at (nearly) the same moment.
      const [first, second] = await Promise.all([one!.pruner!.runOnce(), two!.pruner!.runOnce()]);
      expect([first, second].filter((report) => report !== undefined)).toHaveLength(1);
      const report = first ?? second;
      expect(report).toEqual({ tokens: 3, authorizationCodes: 3, signingKeys: 0, pushedRequests: 0, replayGuards: 0, deviceCodes: 0 });
      prunedBy.push(first ? 'one' : 'two');
      // Within the same interval nobody prunes again, however often asked.
      clock.advance(30);
      expect(await one!.pruner!.runOnce()).toBeUndefined();
      expect(await two!.pruner!.runOnce()).toBeUndefined();
      clock.advance(-30);
      expect(await repos.tokens.findByJti(liveJti)).toBeDefined();
      // Nothing expired is left for a second prune to find.
      expect(await pruneExpired(repos, clock.now())).toEqual({ tokens: 0, authorizationCodes: 0, signingKeys: 0, pushedRequests: 0, replayGuards: 0, deviceCodes: 0 });
    }
    expect(prunedBy).toHaveLength(3);
  });

  it.skipIf(!available)('prunes on its own timer, with the system clock', async () => {
    const [app] = await instances(backend, 1, { AUTHLY_DATABASE__PRUNE_INTERVAL_SECONDS: '1' });
    const repos = app!.container.repositories;
    const user = await repos.users.create(makeUser());
    const expired = makeToken(user.id, new Date(), { expiresAt: new Date(Date.now() - 1000) });
    await repos.tokens.save(expired);
    await eventually(async () => (await repos.tokens.findByJti(expired.jti)) === undefined);
  });
});

describe('pruneExpired', () => {
  it('deletes a backlog larger than one batch, batch by batch', async () => {
    const storage = await openStorage({ backend: 'memory', pragmas: DEFAULT_TEST_PRAGMAS });
    cleanups.push(() => storage.close());
    await storage.migrate();
    const now = new Date();
    await seed(storage.repositories, now, 7);
    const batches: number[] = [];
    const tokens = storage.repositories.tokens;
    const counting = {
      ...storage.repositories,
      tokens: {
        ...tokens,
        deleteExpired: async (at: Date, limit?: number) => {
          const deleted = await tokens.deleteExpired(at, limit);
          batches.push(deleted);
          return deleted;
        },
      },
    };
    expect(await pruneExpired(counting, now, { batchSize: 3 })).toEqual({ tokens: 7, authorizationCodes: 7, signingKeys: 0, pushedRequests: 0, replayGuards: 0, deviceCodes: 0 });
    expect(batches).toEqual([3, 3, 1]);
  });
});
