import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Keystore } from '../../src/crypto/keystore.js';
import { createSigningKeys, maxTokenLifetimeSeconds, SigningKeyService } from '../../src/services/signing-keys.js';
import type { Storage } from '../../src/storage/storage.js';
import { epochSeconds, headerOf, MASTER_KEY, memoryStorage, TestClock, testKeystore } from '../crypto/helpers.js';
import type { TestKeystoreOptions } from '../crypto/helpers.js';
import { cryptoRandom } from '../../src/crypto/random.js';

const DELAY = 3600;
const MAX_LIFETIME = 7200;
let clock: TestClock;
let storage: Storage;

beforeEach(async () => {
  clock = new TestClock();
  storage = await memoryStorage(clock);
});
afterEach(() => storage.close());

/** A server instance: its own keystore (own caches) over the shared database. */
function instance(options: TestKeystoreOptions = {}): { keystore: Keystore; service: SigningKeyService } {
  const keystore = testKeystore(storage.repositories.signingKeys, clock, {
    rotationDelaySeconds: DELAY,
    maxTokenLifetimeSeconds: MAX_LIFETIME,
    ...options,
  });
  return { keystore, service: new SigningKeyService({ keystore, repository: storage.repositories.signingKeys, clock }) };
}

function sign(keystore: Keystore, lifetimeSeconds = MAX_LIFETIME): Promise<string> {
  const now = epochSeconds(clock.now());
  return keystore.sign({ sub: 'user-1', iat: now, exp: now + lifetimeSeconds }, { typ: 'at+jwt' });
}

async function publishedKids(keystore: Keystore): Promise<string[]> {
  return (await keystore.jwks()).keys.map((key) => String(key.kid));
}

describe('staged rotation', () => {
  it('publishes the next key first, signs with it after the delay, and keeps the old key until its tokens expire', async () => {
    const { keystore, service } = instance();
    const { kid: oldKid } = await keystore.ensureSigningKey();
    const before = await sign(keystore);

    clock.advance(10);
    const rotated = await service.rotate(clock.now());
    expect(rotated.signsFrom).toEqual(new Date(clock.now().getTime() + DELAY * 1000));

    // During the delay: JWKS already lists the new key, tokens still carry the old kid.
    expect(await publishedKids(keystore)).toEqual([oldKid, rotated.kid]);
    expect(headerOf(await sign(keystore)).kid).toBe(oldKid);
    expect(headerOf(await sign(instance().keystore)).kid).toBe(oldKid);
    expect(await service.listKeys()).toMatchObject([
      { kid: rotated.kid, status: 'staged', signsFrom: rotated.signsFrom, publishUntil: null },
      { kid: oldKid, status: 'signing', signsFrom: null, publishUntil: null },
    ]);

    // After the delay: new tokens use the new kid, on this instance and on a fresh one.
    const promotedAt = clock.advance(DELAY);
    expect(headerOf(await sign(keystore)).kid).toBe(rotated.kid);
    const other = instance().keystore;
    expect(headerOf(await sign(other)).kid).toBe(rotated.kid);
    // A token signed before the rotation still verifies on another instance.
    await expect(other.verify(before, { currentDate: clock.now() })).resolves.toMatchObject({ header: { kid: oldKid } });

    const publishUntil = new Date(promotedAt.getTime() + MAX_LIFETIME * 1000);
    expect(await service.listKeys()).toMatchObject([
      { kid: rotated.kid, status: 'signing' },
      { kid: oldKid, status: 'published', publishUntil },
    ]);
    expect(await publishedKids(keystore)).toEqual([rotated.kid, oldKid]);

    // The retired key stays in JWKS until publishUntil, then leaves and can be deleted.
    clock.advance(MAX_LIFETIME - 1);
    expect(await publishedKids(instance().keystore)).toContain(oldKid);
    clock.advance(2);
    expect(await publishedKids(keystore)).toEqual([rotated.kid]);
    expect((await service.listKeys()).find((key) => key.kid === oldKid)?.status).toBe('expired');
    await expect(instance().keystore.verify(before, { currentDate: clock.now() })).rejects.toThrow();
    expect(await service.deleteExpired()).toBe(1);
    expect((await service.listKeys()).map((key) => key.kid)).toEqual([rotated.kid]);
  });

  it('promotes at once and retires the previous key when rotation_delay_seconds is 0', async () => {
    const { keystore, service } = instance({ rotationDelaySeconds: 0 });
    const { kid: oldKid } = await keystore.ensureSigningKey();
    clock.advance(1);
    const rotated = await service.rotate();

    expect(rotated.signsFrom).toEqual(clock.now());
    expect(headerOf(await sign(keystore)).kid).toBe(rotated.kid);
    expect(await service.listKeys()).toMatchObject([
      { kid: rotated.kid, status: 'signing' },
      { kid: oldKid, status: 'published', publishUntil: new Date(clock.now().getTime() + MAX_LIFETIME * 1000) },
    ]);
  });

  it('on an empty database, creates the current key first so the rotated-in key is staged', async () => {
    const { service } = instance();
    const rotated = await service.rotate();
    const statuses = (await service.listKeys()).map((key) => [key.kid === rotated.kid ? 'new' : 'current', key.status]);
    expect(statuses.sort()).toEqual([
      ['current', 'signing'],
      ['new', 'staged'],
    ]);
  });

  it('rotates a chosen algorithm without touching the others', async () => {
    const { keystore, service } = instance();
    await keystore.ensureSigningKey();
    clock.advance(1);
    const rotated = await service.rotate(clock.now(), 'EdDSA');
    expect(rotated.algorithm).toBe('EdDSA');
    const listed = await service.listKeys();
    expect(listed.filter((key) => key.status === 'signing').map((key) => key.algorithm).sort()).toEqual(['ES256', 'EdDSA']);
    expect(listed.filter((key) => key.status === 'staged').map((key) => key.algorithm)).toEqual(['EdDSA']);
  });
});

describe('createSigningKeys', () => {
  it('builds a keystore and service from the configuration sections', async () => {
    const config = {
      keys: { algorithm: 'EdDSA' as const, rotation_delay_seconds: 60 },
      tokens: { access_token_expire_minutes: 60, refresh_token_expire_days: 7, id_token_expire_minutes: 15, session_expire_minutes: 720 },
    };
    const { keystore, service } = createSigningKeys({
      repository: storage.repositories.signingKeys,
      masterKey: MASTER_KEY,
      config,
      clock,
      random: cryptoRandom,
    });
    expect(keystore.settings).toEqual({ algorithm: 'EdDSA', rotationDelaySeconds: 60, maxTokenLifetimeSeconds: 7 * 86_400 });
    // Same master key as the test keystore: they read each other's keys.
    const key = await keystore.ensureSigningKey();
    await expect(testKeystore(storage.repositories.signingKeys, clock, { algorithm: 'EdDSA' }).ensureSigningKey()).resolves.toMatchObject({
      kid: key.kid,
    });
    expect(await service.listKeys()).toHaveLength(1);
  });

  it('takes the longest token or session lifetime as how long retired keys stay published', () => {
    const base = { access_token_expire_minutes: 60, refresh_token_expire_days: 7, id_token_expire_minutes: 15, session_expire_minutes: 720 };
    expect(maxTokenLifetimeSeconds(base)).toBe(604_800);
    expect(maxTokenLifetimeSeconds({ ...base, access_token_expire_minutes: 20_000, refresh_token_expire_days: 1 })).toBe(1_200_000);
    expect(maxTokenLifetimeSeconds({ ...base, refresh_token_expire_days: 1, session_expire_minutes: 2_000 })).toBe(120_000);
  });
});
