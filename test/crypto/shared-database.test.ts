import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStorage } from '../../src/app/storage.js';
import type { Storage } from '../../src/storage/storage.js';
import { DEFAULT_TEST_PRAGMAS } from '../storage/pragmas.js';
import { epochSeconds, headerOf, TestClock, testKeystore } from './helpers.js';

const opened: Storage[] = [];
const folders: string[] = [];
afterEach(async () => {
  for (const storage of opened.splice(0)) await storage.close();
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

/** Two connections to one SQLite file: two server instances sharing a database. */
async function twoInstances(clock: TestClock): Promise<[Storage, Storage]> {
  const folder = mkdtempSync(join(tmpdir(), 'authly-keys-'));
  folders.push(folder);
  const path = join(folder, 'authly.db');
  const open = () => openStorage({ backend: 'sqlite', path, pragmas: DEFAULT_TEST_PRAGMAS }, { clock });
  const first = await open();
  opened.push(first);
  await first.migrate();
  const second = await open();
  opened.push(second);
  return [first, second];
}

describe.each([3600, 0])('two instances starting at once on an empty database (rotation delay %ss)', (rotationDelaySeconds) => {
  it('verify each other’s tokens at once and sign with the same key after one refresh interval', async () => {
    const clock = new TestClock();
    const [a, b] = await twoInstances(clock);
    const one = testKeystore(a.repositories.signingKeys, clock, { rotationDelaySeconds, refreshIntervalSeconds: 60 });
    const two = testKeystore(b.repositories.signingKeys, clock, { rotationDelaySeconds, refreshIntervalSeconds: 60 });

    await Promise.all([one.ensureSigningKey(), two.ensureSigningKey()]);
    const signBoth = () => {
      const now = epochSeconds(clock.now());
      const claims = { sub: 'u', iat: now, exp: now + 600 };
      return Promise.all([one.sign(claims, { typ: 'JWT' }), two.sign(claims, { typ: 'JWT' })]);
    };
    // Each may still sign with the key it created, but each verifies the other's (a duplicate is harmless).
    const [fromOne, fromTwo] = await signBoth();
    await expect(two.verify(fromOne, { currentDate: clock.now() })).resolves.toBeDefined();
    await expect(one.verify(fromTwo, { currentDate: clock.now() })).resolves.toBeDefined();

    // Once both have re-read the keys, the schedule picks the same key everywhere.
    clock.advance(61);
    const [laterOne, laterTwo] = await signBoth();
    expect(headerOf(laterOne).kid).toBe(headerOf(laterTwo).kid);
    // Whatever both created is published by both.
    const kids = (await a.repositories.signingKeys.list()).map((key) => key.kid).sort();
    expect((await one.jwks()).keys.map((k) => k.kid).sort()).toEqual(kids);
    expect((await two.jwks()).keys.map((k) => k.kid).sort()).toEqual(kids);
  });
});
