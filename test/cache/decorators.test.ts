import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createCacheStore, withCache, type CacheStore } from '../../src/cache/index.js';
import type { Repositories } from '../../src/repositories/repositories.js';
import type { Storage } from '../../src/storage/storage.js';
import { makeClient, makeToken, makeUser, unique } from '../storage/fixtures.js';
import { callsOf, countingRepositories, type CallCounts } from './counting.js';
import { openSqliteMemory, recordingLogger } from './stacks.js';

/*
 * The decorators over a real SQLite :memory: database and the memory store, with a counting
 * wrapper in between to see which reads reached the database.
 */
let storage: Storage;
let calls: CallCounts;
let store: CacheStore;
let repos: Repositories;

beforeAll(async () => {
  storage = await openSqliteMemory();
});
afterAll(async () => {
  await storage.close();
});
beforeEach(() => {
  const counted = countingRepositories(storage.repositories);
  calls = counted.calls;
  store = createCacheStore({ backend: 'memory', ttlSeconds: 60, maxSize: 1000, keyPrefix: 'x:', logger: recordingLogger() }).store!;
  repos = withCache(counted.repositories, { store });
});

describe('reads', () => {
  it('serves a repeated client_id lookup from the cache', async () => {
    const client = await repos.clients.create(makeClient());
    expect(await repos.clients.findByClientId(client.clientId)).toEqual(client);
    expect(await repos.clients.findByClientId(client.clientId)).toEqual(client);
    expect(await repos.clients.findById(client.id)).toEqual(client);
    expect(callsOf(calls, 'clients.findByClientId')).toBe(1);
    expect(callsOf(calls, 'clients.findById')).toBe(0);
    expect(store.stats().clients?.hits).toBeGreaterThanOrEqual(2);
  });

  it('shares one database read among 20 concurrent misses of one key', async () => {
    const client = await repos.clients.create(makeClient());
    const results = await Promise.all(Array.from({ length: 20 }, () => repos.clients.findByClientId(client.clientId)));
    expect(results.every((r) => r?.id === client.id)).toBe(true);
    expect(callsOf(calls, 'clients.findByClientId')).toBe(1);
    // Each caller owns its copy.
    results[0]!.redirectUris.push('https://evil.example');
    expect(results[1]!.redirectUris).toEqual(client.redirectUris);
    expect((await repos.clients.findByClientId(client.clientId))?.redirectUris).toEqual(client.redirectUris);
  });

  it('does not cache misses, so a created row is found at once', async () => {
    const draft = makeClient();
    expect(await repos.clients.findByClientId(draft.clientId)).toBeUndefined();
    const client = await repos.clients.create(draft);
    expect(await repos.clients.findByClientId(draft.clientId)).toEqual(client);
  });

  it('finds users by any case of username and email through one cached copy', async () => {
    const user = await repos.users.create(makeUser({ username: unique('Bob_') }));
    expect((await repos.users.findByUsername(user.username.toUpperCase()))?.id).toBe(user.id);
    expect((await repos.users.findByUsername(user.username.toLowerCase()))?.id).toBe(user.id);
    expect((await repos.users.findByUsername(user.username))?.id).toBe(user.id);
    expect((await repos.users.findByEmail(user.email.toUpperCase()))?.id).toBe(user.id);
    expect((await repos.users.findByEmail(user.email))?.id).toBe(user.id);
    expect(callsOf(calls, 'users.findByUsername')).toBe(1);
    expect(callsOf(calls, 'users.findByEmail')).toBe(1);
    expect(callsOf(calls, 'users.findById')).toBe(0);
  });

  it('caches scope and signing-key sets until a write replaces the namespace version', async () => {
    await repos.scopes.findDefaults();
    await repos.scopes.findDefaults();
    await repos.scopes.count();
    await repos.scopes.count();
    expect(callsOf(calls, 'scopes.findDefaults')).toBe(1);
    expect(callsOf(calls, 'scopes.count')).toBe(1);
    await repos.scopes.create({ scopeName: unique('s_'), isDefault: true });
    expect((await repos.scopes.findDefaults()).length).toBeGreaterThan(1);
    expect(callsOf(calls, 'scopes.findDefaults')).toBe(2);

    await repos.signingKeys.listActive();
    await repos.signingKeys.listActive();
    expect(callsOf(calls, 'signingKeys.listActive')).toBe(1);
  });

  it('never caches tokens or authorization codes', async () => {
    const user = await repos.users.create(makeUser());
    const token = await repos.tokens.save(makeToken(user.id, new Date()));
    await repos.tokens.findByJti(token.jti);
    await repos.tokens.findByJti(token.jti);
    expect(callsOf(calls, 'tokens.findByJti')).toBe(2);
    expect(repos.tokens).toBe(repos.tokens);
  });
});

describe('writes invalidate what they change', () => {
  it('hides a deactivated client from client_id lookups at once, and shows the new name by id', async () => {
    const client = await repos.clients.create(makeClient());
    await repos.clients.findByClientId(client.clientId);
    await repos.clients.findById(client.id);
    await repos.clients.update(client.id, { clientName: 'Renamed', isActive: false });
    expect(await repos.clients.findByClientId(client.clientId)).toBeUndefined();
    expect((await repos.clients.findById(client.id))?.clientName).toBe('Renamed');
    await repos.clients.update(client.id, { isActive: true });
    expect((await repos.clients.findByClientId(client.clientId))?.isActive).toBe(true);
  });

  it('forgets a deleted client and sees a new client reusing its client_id', async () => {
    const client = await repos.clients.create(makeClient());
    await repos.clients.findByClientId(client.clientId);
    await repos.clients.delete(client.id);
    expect(await repos.clients.findByClientId(client.clientId)).toBeUndefined();
    expect(await repos.clients.findById(client.id)).toBeUndefined();
    const reborn = await repos.clients.create(makeClient({ clientId: client.clientId }));
    expect((await repos.clients.findByClientId(client.clientId))?.id).toBe(reborn.id);
  });

  it("refreshes a client's scopes after setScopes and after a scope is deleted", async () => {
    const extra = await repos.scopes.create({ scopeName: unique('extra_') });
    const client = await repos.clients.create(makeClient(), ['openid', extra.scopeName]);
    expect(await repos.clients.findScopes(client.id)).toEqual(['openid', extra.scopeName].sort());
    await repos.clients.setScopes(client.id, ['openid']);
    expect(await repos.clients.findScopes(client.id)).toEqual(['openid']);
    await repos.clients.setScopes(client.id, ['openid', extra.scopeName]);
    expect(await repos.clients.findScopes(client.id)).toHaveLength(2);
    await repos.scopes.delete(extra.id);
    expect(await repos.clients.findScopes(client.id)).toEqual(['openid']);
  });

  it('drops the old and serves the new username and email after a rename', async () => {
    const user = await repos.users.create(makeUser());
    await repos.users.findByUsername(user.username);
    await repos.users.findByEmail(user.email);
    const username = unique('renamed_');
    await repos.users.update(user.id, { username, email: `${username}@example.com` });
    expect(await repos.users.findByUsername(user.username)).toBeUndefined();
    expect(await repos.users.findByEmail(user.email)).toBeUndefined();
    expect((await repos.users.findByUsername(username.toUpperCase()))?.id).toBe(user.id);
    expect((await repos.users.findByEmail(`${username}@example.com`))?.id).toBe(user.id);
  });

  it('shows an updated user by id and by name, and forgets a deleted one', async () => {
    const user = await repos.users.create(makeUser());
    await repos.users.findById(user.id);
    await repos.users.findByUsername(user.username);
    const lastLogin = new Date('2026-03-04T05:06:07.000Z');
    await repos.users.update(user.id, { isActive: false, lastLogin });
    expect(await repos.users.findById(user.id)).toMatchObject({ isActive: false, lastLogin });
    expect(await repos.users.findByUsername(user.username)).toMatchObject({ isActive: false });
    await repos.users.delete(user.id);
    expect(await repos.users.findById(user.id)).toBeUndefined();
    expect(await repos.users.findByUsername(user.username)).toBeUndefined();
    expect(await repos.users.findByEmail(user.email)).toBeUndefined();
  });

  it('shows a recorded login by id, by username and by email', async () => {
    const user = await repos.users.create(makeUser());
    await repos.users.findById(user.id);
    await repos.users.findByUsername(user.username);
    await repos.users.findByEmail(user.email);
    const at = new Date('2026-05-06T07:08:09.000Z');
    await repos.users.recordLogin(user.id, at);
    expect(await repos.users.findById(user.id)).toMatchObject({ lastLogin: at });
    expect(await repos.users.findByUsername(user.username.toUpperCase())).toMatchObject({ id: user.id, lastLogin: at });
    expect(await repos.users.findByEmail(user.email)).toMatchObject({ id: user.id, lastLogin: at });
  });

  it('shows scope updates in every scope read', async () => {
    const scope = await repos.scopes.create({ scopeName: unique('s_') });
    await repos.scopes.findByName(scope.scopeName);
    await repos.scopes.findById(scope.id);
    await repos.scopes.findActiveByNames([scope.scopeName]);
    const before = await repos.scopes.count();
    await repos.scopes.update(scope.id, { isActive: false, description: 'off' });
    expect((await repos.scopes.findByName(scope.scopeName))?.isActive).toBe(false);
    expect((await repos.scopes.findById(scope.id))?.description).toBe('off');
    expect(await repos.scopes.findActiveByNames([scope.scopeName])).toEqual([]);
    expect(await repos.scopes.count()).toBe(before - 1);
  });

  it('shows a retired signing key as inactive in every key read', async () => {
    const kid = unique('kid_');
    await repos.signingKeys.add({ kid, keyData: { kty: 'EC', crv: 'P-256', x: 'x', y: 'y' }, keyType: 'EC', algorithm: 'ES256' });
    expect((await repos.signingKeys.listActive()).map((k) => k.kid)).toContain(kid);
    expect((await repos.signingKeys.findByKid(kid))?.isActive).toBe(true);
    await repos.signingKeys.retire(kid, new Date(Date.now() + 60_000));
    expect((await repos.signingKeys.listActive()).map((k) => k.kid)).not.toContain(kid);
    expect((await repos.signingKeys.findByKid(kid))?.isActive).toBe(false);
    expect((await repos.signingKeys.list()).find((k) => k.kid === kid)?.isActive).toBe(false);
  });
});
