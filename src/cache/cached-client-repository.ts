import type { Client, ClientListQuery, ClientPatch, NewClient } from '../domain/client.js';
import type { ClientRepository } from '../repositories/client-repository.js';
import { codecs } from './codecs.js';
import { keys, versions } from './keys.js';
import type { ReadThrough } from './read-through.js';

/**
 * Clients through the cache. One copy per client (by id); `client_id` lookups go through a
 * pointer to the id, so every write has one authoritative key to drop, and a pointer that
 * outlived its row is detected by comparing the row's `client_id`.
 */
export class CachedClientRepository implements ClientRepository {
  readonly #inner: ClientRepository;
  readonly #cache: ReadThrough;

  constructor(inner: ClientRepository, cache: ReadThrough) {
    this.#inner = inner;
    this.#cache = cache;
  }

  async create(input: NewClient, scopeNames?: readonly string[]): Promise<Client> {
    const client = await this.#inner.create(input, scopeNames);
    // Nothing cached can name the new row (misses are not cached; a pointer left by a deleted
    // client with this client_id fails its check), except "no scopes" for its id.
    await this.#cache.bump(versions.assignments);
    return client;
  }

  findById(id: string): Promise<Client | undefined> {
    return this.#cache.read('clients', keys.clientById(id), codecs.client, () => this.#inner.findById(id));
  }

  async findByClientId(clientId: string): Promise<Client | undefined> {
    let loaded: Client | undefined;
    const id = await this.#cache.read('clients', keys.clientByClientId(clientId), codecs.id, async (fill) => {
      loaded = await this.#inner.findByClientId(clientId);
      if (loaded !== undefined) await fill(keys.clientById(loaded.id), loaded, codecs.client);
      return loaded?.id;
    });
    // This call did the database read: its row is fresh, no second lookup needed.
    if (loaded !== undefined) return loaded;
    if (id === undefined) return undefined;
    const client = await this.findById(id);
    // The by-id entry is authoritative (every write drops it); only `active` clients are found by client_id.
    if (client !== undefined && client.clientId === clientId) return client.isActive ? client : undefined;
    // The pointer outlived its row (deleted, client_id reused by a new row): ask the database.
    return this.#inner.findByClientId(clientId);
  }

  list(query: ClientListQuery): Promise<Client[]> {
    return this.#inner.list(query);
  }

  counts(): Promise<{ total: number; active: number }> {
    return this.#inner.counts();
  }

  async update(id: string, patch: ClientPatch): Promise<Client | undefined> {
    const client = await this.#inner.update(id, patch);
    const stale = [keys.clientById(id)];
    if (client !== undefined) stale.push(keys.clientByClientId(client.clientId));
    await this.#cache.invalidate(stale);
    return client;
  }

  async replaceSecretHash(id: string, expected: string, replacement: string): Promise<boolean> {
    const replaced = await this.#inner.replaceSecretHash(id, expected, replacement);
    if (replaced) {
      const client = await this.#inner.findById(id);
      const stale = [keys.clientById(id)];
      if (client !== undefined) stale.push(keys.clientByClientId(client.clientId));
      await this.#cache.invalidate(stale);
    }
    return replaced;
  }

  async delete(id: string): Promise<boolean> {
    // client_id never changes, so reading it before the delete names the pointer to drop.
    const before = await this.#inner.findById(id);
    const deleted = await this.#inner.delete(id);
    const stale = [keys.clientById(id)];
    if (before !== undefined) stale.push(keys.clientByClientId(before.clientId));
    await this.#cache.invalidate(stale);
    // Its scope assignments went by cascade.
    await this.#cache.bump(versions.assignments);
    return deleted;
  }

  async findScopes(id: string): Promise<string[]> {
    const version = await this.#cache.version(versions.assignments);
    const names = await this.#cache.read('clients', keys.clientScopes(version, id), codecs.names, () => this.#inner.findScopes(id));
    return names ?? [];
  }

  async setScopes(id: string, scopeNames: readonly string[]): Promise<void> {
    await this.#inner.setScopes(id, scopeNames);
    await this.#cache.bump(versions.assignments);
  }
}
