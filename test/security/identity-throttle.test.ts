import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { openStorage } from '../../src/app/storage.js';
import { RedisThrottleStore } from '../../src/cache/redis-throttle-store.js';
import { createPasswordHasher, type PasswordHasher } from '../../src/crypto/password-hasher.js';
import { LoginThrottle } from '../../src/services/login-throttle.js';
import { MemoryThrottleStore, type ThrottleStore } from '../../src/services/login-throttle-store.js';
import { UserService } from '../../src/services/users/user-service.js';
import { verifyUserPassword } from '../../src/services/verify-user-password.js';
import { systemClock } from '../../src/repositories/ports.js';
import type { TestBackend, TestServer } from '../helpers/app.js';
import { hasPostgres, hasRedis, REDIS_URL } from '../helpers/services.js';
import { DEFAULT_TEST_PRAGMAS } from '../storage/pragmas.js';
import type { ApiClient } from '../protection/api-client.js';
import { startAdminServer } from '../protection/api-client.js';
import { createUser, STRONG } from './identity-helpers.js';

/*
 * Rules: a lockout attempt is reserved atomically before the password is checked, so a burst can
 * never check more than `max_attempts` passwords of one account; the counters are keyed on the
 * account a name reaches (not on a JavaScript folding of the name); change-password runs under
 * the same throttle.
 */
const LOCKED = { error: 'invalid_grant', error_description: 'Too many failed attempts. Account temporarily locked.' };
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const SETTINGS = {
  rateLimit: { enabled: true, windowSeconds: 60, loginPerIp: 1000, loginPerUsername: 1000, registrationPerIp: 10 },
  lockout: { enabled: true, maxAttempts: 5, durationSeconds: 300 },
};

/** Counts the password checks that reach the (real) argon2 hasher. */
function countingHasher(): PasswordHasher & { verified: number } {
  const real = createPasswordHasher();
  const counting = {
    verified: 0,
    hash: (password: string) => real.hash(password),
    verify(password: string, stored: string) {
      counting.verified += 1;
      return real.verify(password, stored);
    },
  };
  return counting;
}

const redisPrefixes: string[] = [];
afterAll(async () => {
  if (!hasRedis || redisPrefixes.length === 0) return;
  const redis = new Redis(REDIS_URL);
  for (const prefix of redisPrefixes) {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
  }
  redis.disconnect();
});

function redisStore(): ThrottleStore {
  const prefix = `authly-test-${randomBytes(5).toString('hex')}:`;
  redisPrefixes.push(prefix);
  return new RedisThrottleStore({ url: REDIS_URL, keyPrefix: prefix, logger: silent });
}

const stores: { name: string; make: () => ThrottleStore }[] = [
  { name: 'memory', make: () => new MemoryThrottleStore({ now: () => Date.now() }) },
  ...(hasRedis ? [{ name: 'redis', make: redisStore }] : []),
];

describe.each(stores)('lockout reservations ($name store, service level)', ({ make }) => {
  it('25 concurrent wrong passwords run argon2 at most max_attempts times; the rest are 429 without a check', async () => {
    const storage = await openStorage({ backend: 'memory', pragmas: DEFAULT_TEST_PRAGMAS });
    await storage.migrate();
    const store = make();
    try {
      const real = createPasswordHasher();
      await storage.repositories.users.create({ username: 'victim', email: 'v@example.com', passwordHash: await real.hash(STRONG), isVerified: true });
      const passwords = countingHasher();
      const findAccount = async (name: string) => (await storage.repositories.users.findByUsername(name))?.username;
      const throttle = new LoginThrottle({ store, logger: silent, settings: SETTINGS, findAccount });
      const attempt = () => throttle.guard({ ip: '192.0.2.7', username: 'victim' }, () => verifyUserPassword('victim', 'wrong-password', { repos: storage.repositories, passwords }));
      const results = await Promise.allSettled(Array.from({ length: 25 }, attempt));
      expect(passwords.verified).toBeLessThanOrEqual(5);
      const errors = results.map((r) => (r.status === 'rejected' ? (r.reason as { status: number }) : undefined));
      expect(errors.filter((e) => e?.status === 400)).toHaveLength(passwords.verified);
      expect(errors.filter((e) => e?.status === 429)).toHaveLength(25 - passwords.verified);
      // The right password now meets the lock, still without a check.
      const before = passwords.verified;
      await expect(throttle.guard({ ip: '192.0.2.8', username: 'VICTIM' }, () => verifyUserPassword('VICTIM', STRONG, { repos: storage.repositories, passwords }))).rejects.toMatchObject({ status: 429 });
      expect(passwords.verified).toBe(before);
    } finally {
      await store.close();
      await storage.close();
    }
  });

  it('60 concurrent wrong current passwords at change-password run argon2 at most max_attempts times', async () => {
    const storage = await openStorage({ backend: 'memory', pragmas: DEFAULT_TEST_PRAGMAS });
    await storage.migrate();
    const store = make();
    try {
      const real = createPasswordHasher();
      const user = await storage.repositories.users.create({ username: 'holder', email: 'h@example.com', passwordHash: await real.hash(STRONG), isVerified: true });
      const passwords = countingHasher();
      const throttle = new LoginThrottle({ store, logger: silent, settings: SETTINGS });
      const service = new UserService({ repos: storage.repositories, passwords, clock: systemClock, throttle });
      const results = await Promise.allSettled(Array.from({ length: 60 }, () => service.changePassword(user, 'wrong-password', 'N3w-Passw0rd!', '192.0.2.9')));
      expect(passwords.verified).toBeLessThanOrEqual(5);
      expect(results.every((r) => r.status === 'rejected')).toBe(true);
      const errors = results.map((r) => (r as PromiseRejectedResult).reason as { status: number });
      expect(errors.filter((e) => e.status === 401)).toHaveLength(passwords.verified);
      expect(errors.filter((e) => e.status === 429)).toHaveLength(60 - passwords.verified);
    } finally {
      await store.close();
      await storage.close();
    }
  });
});

type ThrottleBackend = { backend: TestBackend; env: Record<string, string>; label: string };
const servers: ThrottleBackend[] = [
  { backend: 'sqlite', env: {}, label: 'sqlite, memory counters' },
  ...(hasPostgres ? [{ backend: 'postgresql' as const, env: {}, label: 'postgresql, memory counters' }] : []),
  ...(hasRedis ? [{ backend: 'sqlite' as const, env: { AUTHLY_REDIS_URL: REDIS_URL }, label: 'sqlite, Redis counters' }] : []),
];

describe.each(servers)('login throttle over HTTP ($label)', ({ backend, env }) => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function start(): Promise<{ api: ApiClient; adminToken: string }> {
    const prefix = `authly-test-${randomBytes(5).toString('hex')}:`;
    redisPrefixes.push(prefix);
    const started = await startAdminServer(backend, { AUTHLY_REDIS__KEY_PREFIX: prefix, ...env });
    server = started.server;
    return started;
  }

  it('25 concurrent wrong password grants: at most max_attempts are answered 400, the rest 429 with the lockout body', async () => {
    const { api, adminToken } = await start();
    const victim = await createUser(api, adminToken, 'burst');
    const results = await Promise.all(Array.from({ length: 25 }, (_, i) => api.login(victim.username, 'wrong-password', '', `198.51.100.${i + 1}`)));
    const checked = results.filter((r) => r.status === 400);
    const refused = results.filter((r) => r.status === 429);
    expect(checked.length).toBeLessThanOrEqual(5);
    expect(checked.length + refused.length).toBe(25);
    for (const r of refused) {
      expect(r.json).toEqual(LOCKED);
      expect(r.headers['retry-after']).toMatch(/^\d+$/);
    }
    expect((await api.login(victim.username, STRONG, '')).status).toBe(429);
  });

  it('a locked account is not reachable under another spelling the database folds to it', async () => {
    const { api, adminToken } = await start();
    const victim = await createUser(api, adminToken, 'admin_twin');
    for (let i = 0; i < 5; i++) expect((await api.login(victim.username, 'wrong-password', '')).status).toBe(400);
    // `İ` (U+0130): PostgreSQL's lower() folds it to `i`, JavaScript's toLowerCase to `i̇`.
    const spelling = victim.username.toUpperCase().replace('I', 'İ');
    expect(spelling.toLowerCase()).not.toBe(victim.username);
    const res = await api.login(spelling, STRONG, '');
    expect(res.status).not.toBe(200);
    // Where the lookup reaches the account (PostgreSQL), the lock holds; SQLite finds no account.
    if (backend === 'postgresql') expect(res.json).toEqual(LOCKED);
  });

  it('unknown usernames lock like known ones, so the lock reveals nothing', async () => {
    const { api } = await start();
    for (let i = 0; i < 5; i++) expect((await api.login('nobody_here', 'wrong-password', '')).json).toEqual({ error: 'invalid_grant', error_description: 'Incorrect username or password' });
    expect((await api.login('NOBODY_HERE', 'wrong-password', '')).json).toEqual(LOCKED);
  });

  it('POST /api/v1/auth/change-password: 60 parallel wrong current passwords get at most max_attempts 401s, the rest 429; the account is then locked for logins too', async () => {
    const { api, adminToken } = await start();
    const holder = await createUser(api, adminToken, 'holder');
    const token = await api.token(holder.username, STRONG, '');
    const results = await Promise.all(
      Array.from({ length: 60 }, () => api.call('POST', '/api/v1/auth/change-password', { token, body: { current_password: 'wrong-password', new_password: 'N3w-Passw0rd!' } })),
    );
    const wrong = results.filter((r) => r.status === 401);
    const refused = results.filter((r) => r.status === 429);
    expect(wrong.length).toBeLessThanOrEqual(5);
    expect(wrong.length + refused.length).toBe(60);
    for (const r of wrong) expect(r.json).toEqual({ detail: 'Current password is incorrect' });
    // Past the per-account rate limit (30 a minute) some are refused by it instead of the lock.
    for (const r of refused) expect([LOCKED, { detail: 'Rate limit exceeded' }]).toContainEqual(r.json);
    expect(refused.some((r) => r.json.error === 'invalid_grant')).toBe(true);
    // The right current password is refused while locked, and so is a login.
    const right = await api.call('POST', '/api/v1/auth/change-password', { token, body: { current_password: STRONG, new_password: 'N3w-Passw0rd!' } });
    expect(right.status).toBe(429);
    expect(right.json).toEqual(LOCKED);
    expect((await api.login(holder.username, STRONG, '')).json).toEqual(LOCKED);
  });
});
