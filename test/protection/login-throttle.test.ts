import { describe, expect, it } from 'vitest';
import { InvalidGrant } from '../../src/protocol/errors.js';
import { LoginThrottle, type LoginThrottleSettings } from '../../src/services/login-throttle.js';
import { MemoryThrottleStore, type ThrottleStore } from '../../src/services/login-throttle-store.js';
import { DetailError } from '../../src/services/users/detail-error.js';

const SETTINGS: LoginThrottleSettings = {
  rateLimit: { enabled: true, windowSeconds: 60, loginPerIp: 100, loginPerUsername: 100, registrationPerIp: 3 },
  lockout: { enabled: true, maxAttempts: 3, durationSeconds: 300 },
};
const silent = { debug() {}, info() {}, warn() {}, error() {} };

function setup(settings: Partial<LoginThrottleSettings> = {}) {
  let now = 1_000_000;
  const store = new MemoryThrottleStore({ now: () => now });
  const throttle = new LoginThrottle({ store, logger: silent, settings: { ...SETTINGS, ...settings } });
  return { throttle, store, advance: (ms: number) => (now += ms) };
}

const fail = () => Promise.reject(new InvalidGrant('Incorrect username or password'));
const succeed = () => Promise.resolve('tokens');

describe('LoginThrottle', () => {
  it('locks an account after max_attempts consecutive failures, with Retry-After, and lets it in after the duration', async () => {
    const { throttle, advance } = setup();
    const attempt = { ip: '192.0.2.1', username: 'Alice' };
    for (let i = 0; i < 3; i++) await expect(throttle.guard(attempt, fail)).rejects.toMatchObject({ status: 400 });
    const locked = throttle.guard({ ip: '198.51.100.1', username: 'alice' }, succeed);
    await expect(locked).rejects.toMatchObject({ error: 'invalid_grant', status: 429, description: 'Too many failed attempts. Account temporarily locked.', headers: { 'Retry-After': '300' } });
    advance(299_000);
    await expect(throttle.guard(attempt, succeed)).rejects.toMatchObject({ headers: { 'Retry-After': '1' } });
    advance(1_000);
    await expect(throttle.guard(attempt, succeed)).resolves.toBe('tokens');
  });

  it('counts only failures, and a success clears them', async () => {
    const { throttle } = setup();
    const attempt = { ip: '192.0.2.1', username: 'bob' };
    for (let i = 0; i < 2; i++) await expect(throttle.guard(attempt, fail)).rejects.toBeInstanceOf(InvalidGrant);
    await throttle.guard(attempt, succeed);
    for (let i = 0; i < 2; i++) await expect(throttle.guard(attempt, fail)).rejects.toBeInstanceOf(InvalidGrant);
    await expect(throttle.guard(attempt, succeed)).resolves.toBe('tokens');
    // Many concurrent correct logins never lock the account (Authly's attempt counting would):
    // beyond max_attempts at once they wait for a slot, and all get in.
    const burst = await Promise.all(Array.from({ length: 20 }, () => throttle.guard(attempt, succeed)));
    expect(burst).toEqual(Array(20).fill('tokens'));
  });

  it('checks at most max_attempts passwords of a concurrent burst of wrong ones; the rest are 429 unchecked', async () => {
    const { throttle } = setup();
    let checked = 0;
    const wrong = async () => {
      checked += 1;
      await new Promise((resolve) => setTimeout(resolve, 5));
      throw new InvalidGrant('Incorrect username or password');
    };
    const burst = await Promise.allSettled(Array.from({ length: 25 }, () => throttle.guard({ ip: '192.0.2.1', username: 'frank' }, wrong)));
    expect(checked).toBe(3);
    const reasons = burst.map((r) => (r.status === 'rejected' ? (r.reason as InvalidGrant) : undefined));
    expect(reasons.filter((e) => e?.status === 400)).toHaveLength(3);
    expect(reasons.filter((e) => e?.status === 429 && e.description === 'Too many failed attempts. Account temporarily locked.')).toHaveLength(22);
    await expect(throttle.guard({ ip: '192.0.2.2', username: 'frank' }, succeed)).rejects.toMatchObject({ status: 429 });
  });

  it('gives the slot back on errors that are not a wrong password, so they never lock', async () => {
    const { throttle } = setup();
    const attempt = { ip: '192.0.2.1', username: 'gina' };
    for (let i = 0; i < 2; i++) await expect(throttle.guard(attempt, fail)).rejects.toBeInstanceOf(InvalidGrant);
    for (let i = 0; i < 5; i++) await expect(throttle.guard(attempt, () => Promise.reject(new Error('db down')))).rejects.toThrow('db down');
    await expect(throttle.guard(attempt, fail)).rejects.toMatchObject({ status: 400 });
    await expect(throttle.guard(attempt, succeed)).rejects.toMatchObject({ status: 429 });
  });

  it('keys counters on the account a name reaches, so another spelling of a locked name is locked too', async () => {
    let now = 0;
    // As PostgreSQL's lower() may: `ADMİN` and `admin` reach the same stored account.
    const stored = new Map([['admin', 'admin'], ['ADMIN', 'admin'], ['ADMİN', 'admin']]);
    const throttle = new LoginThrottle({
      store: new MemoryThrottleStore({ now: () => now }),
      logger: silent,
      settings: SETTINGS,
      findAccount: (name) => Promise.resolve(stored.get(name)),
    });
    for (const name of ['admin', 'ADMIN', 'admin']) await expect(throttle.guard({ ip: '192.0.2.1', username: name }, fail)).rejects.toMatchObject({ status: 400 });
    expect('ADMİN'.toLowerCase()).not.toBe('admin'); // JS folding would have keyed it apart
    await expect(throttle.guard({ ip: '192.0.2.1', username: 'ADMİN' }, succeed)).rejects.toMatchObject({ status: 429 });
    // The same account named by an authenticated caller (change-password) is locked as well.
    await expect(throttle.guard({ ip: '192.0.2.9', account: 'admin' }, succeed)).rejects.toMatchObject({ status: 429 });
    now += 300_000;
    await expect(throttle.guard({ ip: '192.0.2.1', username: 'ADMİN' }, succeed)).resolves.toBe('tokens');
  });

  it('locks unknown names like known ones, under their NFKC lower-cased form', async () => {
    const { throttle } = setup();
    for (const name of ['ghost', 'GHOST', 'ｇｈｏｓｔ']) await expect(throttle.guard({ ip: '192.0.2.1', username: name }, fail)).rejects.toMatchObject({ status: 400 });
    await expect(throttle.guard({ ip: '192.0.2.1', username: 'Ghost' }, fail)).rejects.toMatchObject({ status: 429 });
  });

  it('does not count errors other than invalid_grant', async () => {
    const { throttle } = setup();
    const attempt = { ip: '192.0.2.1', username: 'carol' };
    for (let i = 0; i < 5; i++) await expect(throttle.guard(attempt, () => Promise.reject(new Error('db down')))).rejects.toThrow('db down');
    await expect(throttle.guard(attempt, succeed)).resolves.toBe('tokens');
  });

  it('rate-limits per address and per username with 429 Rate limit exceeded and Retry-After', async () => {
    const { throttle, advance } = setup({ rateLimit: { ...SETTINGS.rateLimit, loginPerIp: 2, loginPerUsername: 3 } });
    await throttle.guard({ ip: '192.0.2.1', username: 'u1' }, succeed);
    await throttle.guard({ ip: '192.0.2.1', username: 'u2' }, succeed);
    const byIp = await throttle.guard({ ip: '192.0.2.1', username: 'u3' }, succeed).catch((e: unknown) => e);
    expect(byIp).toBeInstanceOf(DetailError);
    expect(byIp).toMatchObject({ status: 429, detail: 'Rate limit exceeded', headers: { 'Retry-After': '60' } });
    for (const ip of ['198.51.100.1', '198.51.100.2']) await throttle.guard({ ip, username: 'shared' }, succeed);
    await throttle.guard({ ip: '198.51.100.3', username: 'shared' }, succeed);
    await expect(throttle.guard({ ip: '198.51.100.4', username: 'SHARED' }, succeed)).rejects.toMatchObject({ status: 429 });
    advance(60_000);
    await expect(throttle.guard({ ip: '192.0.2.1', username: 'u3' }, succeed)).resolves.toBe('tokens');
  });

  it('limits registrations per address', async () => {
    const { throttle } = setup();
    for (let i = 0; i < 3; i++) await throttle.limit('registration', '192.0.2.9');
    await expect(throttle.limit('registration', '192.0.2.9')).rejects.toMatchObject({ status: 429 });
    await expect(throttle.limit('registration', '192.0.2.10')).resolves.toBeUndefined();
  });

  it('does nothing when disabled', async () => {
    const { throttle } = setup({
      rateLimit: { ...SETTINGS.rateLimit, enabled: false, loginPerIp: 1 },
      lockout: { ...SETTINGS.lockout, enabled: false, maxAttempts: 1 },
    });
    const attempt = { ip: '192.0.2.1', username: 'dan' };
    for (let i = 0; i < 5; i++) await expect(throttle.guard(attempt, fail)).rejects.toMatchObject({ status: 400 });
    await expect(throttle.guard(attempt, succeed)).resolves.toBe('tokens');
  });

  it('lets requests through when the counter store fails (fail open)', async () => {
    const broken: ThrottleStore = {
      increment: () => Promise.reject(new Error('down')),
      reserve: () => Promise.reject(new Error('down')),
      release: () => Promise.reject(new Error('down')),
      peek: () => Promise.reject(new Error('down')),
      delete: () => Promise.reject(new Error('down')),
      close: () => Promise.resolve(),
    };
    const throttle = new LoginThrottle({ store: broken, logger: silent, settings: SETTINGS });
    await expect(throttle.guard({ ip: '192.0.2.1', username: 'erin' }, succeed)).resolves.toBe('tokens');
    await expect(throttle.guard({ ip: '192.0.2.1', username: 'erin' }, fail)).rejects.toMatchObject({ status: 400 });
  });

  it('keeps the memory store bounded', async () => {
    const store = new MemoryThrottleStore({ now: () => 0, maxEntries: 10 });
    for (let i = 0; i < 100; i++) await store.increment(`k${i}`, 1000);
    expect(await store.peek('k0')).toBeUndefined();
    expect(await store.peek('k99')).toEqual({ count: 1, resetInMs: 1000 });
  });
});
