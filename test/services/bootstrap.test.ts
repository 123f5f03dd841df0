import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Storage } from '../../src/storage/storage.js';
import { openStorage } from '../../src/app/storage.js';
import { createPasswordHasher } from '../../src/crypto/password-hasher.js';
import { cryptoRandom } from '../../src/crypto/random.js';
import { ADMIN_SCOPES, OIDC_SCOPE_DESCRIPTIONS } from '../../src/services/admin/admin-scopes.js';
import { bootstrap, BootstrapConflictError, type BootstrapSettings } from '../../src/services/bootstrap.js';

interface LogLine {
  level: string;
  obj: object;
  msg?: string;
}

const PRAGMAS = { journal_mode: 'WAL', synchronous: 'NORMAL', cache_size: -2000, temp_store: 'MEMORY', busy_timeout: 5000, foreign_keys: true };
const SETTINGS: BootstrapSettings = { username: 'admin', email: 'admin@localhost', password: null, devMode: false };

describe('bootstrap', () => {
  let storage: Storage;
  let lines: LogLine[];
  const passwords = createPasswordHasher();
  const logger = {
    debug: (obj: object, msg?: string) => lines.push({ level: 'debug', obj, msg }),
    info: (obj: object, msg?: string) => lines.push({ level: 'info', obj, msg }),
    warn: (obj: object, msg?: string) => lines.push({ level: 'warn', obj, msg }),
    error: (obj: object, msg?: string) => lines.push({ level: 'error', obj, msg }),
  };
  const deps = () => ({ repos: storage.repositories, passwords, random: cryptoRandom, logger });

  beforeEach(async () => {
    lines = [];
    storage = await openStorage({ backend: 'memory', pragmas: PRAGMAS }, { logger });
    await storage.migrate();
  });
  afterEach(async () => storage.close());

  it('registers the 8 admin scopes and rewrites the OIDC descriptions, keeping is_default', async () => {
    const report = await bootstrap(SETTINGS, deps());
    expect(report.scopesCreated.sort()).toEqual([...Object.keys(ADMIN_SCOPES), 'offline_access'].sort());
    for (const [name, description] of Object.entries(ADMIN_SCOPES)) {
      expect(await storage.repositories.scopes.findByName(name)).toMatchObject({ description, isDefault: false, isActive: true });
    }
    for (const [name, description] of Object.entries(OIDC_SCOPE_DESCRIPTIONS)) {
      expect((await storage.repositories.scopes.findByName(name))?.description).toBe(description);
    }
    expect((await storage.repositories.scopes.findByName('profile'))?.isDefault).toBe(true);
  });

  it('creates the admin with a generated 16-character password that must be changed, and never logs it', async () => {
    const report = await bootstrap(SETTINGS, deps());
    expect(report.admin).toBe('created');
    const password = report.generatedPassword!;
    expect(password).toHaveLength(16);
    for (const cls of [/[A-Z]/, /[a-z]/, /\d/, /[!@#$%^&*()\-_=+]/]) expect(password).toMatch(cls);
    const admin = await storage.repositories.users.findCredentials({ username: 'admin' });
    expect(admin?.user).toMatchObject({ email: 'admin@localhost', isActive: true, isVerified: true, isAdmin: true, requiresPasswordChange: true });
    expect((await passwords.verify(password, admin!.passwordHash)).ok).toBe(true);
    // The caller (authly serve) prints it once on the console; logs never carry it.
    expect(lines.some((l) => JSON.stringify(l).includes(password))).toBe(false);
    expect(lines.find((l) => l.level === 'warn')?.msg).toMatch(/generated password, printed once to the console/);
  });

  it('is idempotent: a second run changes nothing and never resets the password', async () => {
    const first = await bootstrap({ ...SETTINGS, password: 'First-Passw0rd!' }, deps());
    expect(first.generatedPassword).toBeUndefined();
    const second = await bootstrap({ ...SETTINGS, password: 'Other-Passw0rd!' }, deps());
    expect(second).toEqual({ scopesCreated: [], scopesUpdated: [], admin: 'unchanged' });
    const admin = await storage.repositories.users.findCredentials({ username: 'admin' });
    expect((await passwords.verify('First-Passw0rd!', admin!.passwordHash)).ok).toBe(true);
    expect(await storage.repositories.scopes.count(true)).toBe(17);
  });

  it('survives instances starting together', async () => {
    const reports = await Promise.all([bootstrap(SETTINGS, deps()), bootstrap(SETTINGS, deps()), bootstrap(SETTINGS, deps())]);
    expect(reports.filter((r) => r.admin === 'created')).toHaveLength(1);
    expect(await storage.repositories.scopes.count(true)).toBe(17);
  });

  it('never promotes an existing non-admin user with the configured name: it refuses, naming the conflict, and changes nothing', async () => {
    const hash = await passwords.hash('Mine-Passw0rd!');
    await storage.repositories.users.create({ username: 'Root', email: 'root@example.com', passwordHash: hash, isVerified: true });
    const refusal = await bootstrap({ ...SETTINGS, username: 'root', password: 'Operator-Passw0rd!' }, deps()).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(BootstrapConflictError);
    expect((refusal as Error).message).not.toContain('\n');
    expect((refusal as Error).message).toMatch(/user "root" .*exists but is not an admin.*admin\.username/);
    const root = await storage.repositories.users.findCredentials({ username: 'root' });
    expect(root?.user.isAdmin).toBe(false);
    expect((await passwords.verify('Mine-Passw0rd!', root!.passwordHash)).ok).toBe(true);
    expect((await storage.repositories.users.list({ isAdmin: true, limit: 10, offset: 0 })).total).toBe(0);
  });

  it('refuses too when the account appears between its lookup and its insert (a registration racing the start)', async () => {
    const users = storage.repositories.users;
    // The registration lands right after bootstrap looked the name up and found nothing.
    const findByUsername = async (name: string) => {
      const found = await users.findByUsername(name);
      if (!found && !(await users.findByEmail('racer@example.com'))) {
        await users.create({ username: 'root', email: 'racer@example.com', passwordHash: await passwords.hash('Racer-Passw0rd!') });
      }
      return found;
    };
    const racingUsers = new Proxy(users, {
      get: (target, prop) => (prop === 'findByUsername' ? findByUsername : (Reflect.get(target, prop) as (...a: unknown[]) => unknown).bind(target)),
    });
    const racing = { ...storage.repositories, users: racingUsers };
    const refusal = await bootstrap({ ...SETTINGS, username: 'root' }, { ...deps(), repos: racing }).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(BootstrapConflictError);
    expect((await users.findByUsername('root'))?.isAdmin).toBe(false);
  });

  it('with dev_mode, a configured password need not be changed; a generated one still must', async () => {
    await bootstrap({ ...SETTINGS, password: 'Dev-Passw0rd!', devMode: true }, deps());
    expect((await storage.repositories.users.findByUsername('admin'))?.requiresPasswordChange).toBe(false);
    await bootstrap({ ...SETTINGS, username: 'other', email: 'o@localhost', devMode: true }, deps());
    expect((await storage.repositories.users.findByUsername('other'))?.requiresPasswordChange).toBe(true);
  });
});
