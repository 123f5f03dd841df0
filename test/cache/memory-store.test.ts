import { describe, expect, it } from 'vitest';
import { codecs } from '../../src/cache/codecs.js';
import { MemoryStore } from '../../src/cache/memory-store.js';

const names = codecs.names;

describe('memory store', () => {
  it('evicts the least recently used entry beyond max_size and counts it', async () => {
    const store = new MemoryStore({ maxSize: 2, ttlSeconds: 60 });
    await store.fill('users:a', ['a'], names, await store.ticket());
    await store.fill('users:b', ['b'], names, await store.ticket());
    await store.get('users:a', names);
    await store.fill('clients:c', ['c'], names, await store.ticket());
    expect(await store.get('users:b', names)).toBeUndefined();
    expect(await store.get('users:a', names)).toEqual(['a']);
    expect(store.stats().users?.evictions).toBe(1);
  });

  it('expires entries after the TTL on the injected clock', async () => {
    let now = 1_000;
    const store = new MemoryStore({ maxSize: 10, ttlSeconds: 5, now: () => now });
    await store.fill('scopes:x', ['x'], names, await store.ticket());
    now += 4_999;
    expect(await store.get('scopes:x', names)).toEqual(['x']);
    now += 2;
    expect(await store.get('scopes:x', names)).toBeUndefined();
  });

  it('refuses a fill whose read began before the key was invalidated', async () => {
    const store = new MemoryStore({ maxSize: 10, ttlSeconds: 60 });
    const ticket = await store.ticket();
    await store.invalidate(['clients:k']);
    await store.fill('clients:k', ['stale'], names, ticket);
    expect(await store.get('clients:k', names)).toBeUndefined();
  });

  it('hands out copies, so a caller mutating a result cannot change the cache', async () => {
    const store = new MemoryStore({ maxSize: 10, ttlSeconds: 60 });
    const value = ['a'];
    await store.fill('clients:k', value, names, await store.ticket());
    value.push('mutated before');
    (await store.get('clients:k', names))!.push('mutated after');
    expect(await store.get('clients:k', names)).toEqual(['a']);
  });
});
