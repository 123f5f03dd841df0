import type { NewScope, Scope, ScopeListQuery, ScopePatch } from '../domain/scope.js';
import type { ScopeRepository } from '../repositories/scope-repository.js';
import { codecs } from './codecs.js';
import { keys, versions } from './keys.js';
import type { ReadThrough } from './read-through.js';

/**
 * Scopes through the cache. Scopes are few and rarely written, and several reads are sets
 * (defaults, active-by-names, listings, counts), so every key carries the namespace version and
 * any write replaces it: nothing has to work out which sets a write touched.
 */
export class CachedScopeRepository implements ScopeRepository {
  readonly #inner: ScopeRepository;
  readonly #cache: ReadThrough;

  constructor(inner: ScopeRepository, cache: ReadThrough) {
    this.#inner = inner;
    this.#cache = cache;
  }

  async create(input: NewScope): Promise<Scope> {
    const scope = await this.#inner.create(input);
    await this.#changed();
    return scope;
  }

  async findById(id: string): Promise<Scope | undefined> {
    return this.#cache.read('scopes', await this.#key(`id:${id}`), codecs.scope, () => this.#inner.findById(id));
  }

  async findByName(name: string): Promise<Scope | undefined> {
    return this.#cache.read('scopes', await this.#key(`name:${name}`), codecs.scope, () => this.#inner.findByName(name));
  }

  async findActiveByNames(names: readonly string[]): Promise<Scope[]> {
    // Order and duplicates do not change the answer (the active scopes among the set, by name).
    const set = JSON.stringify([...new Set(names)].sort());
    const key = await this.#key(`active:${set}`);
    return (await this.#cache.read('scopes', key, codecs.scopes, () => this.#inner.findActiveByNames(names))) ?? [];
  }

  async findDefaults(): Promise<Scope[]> {
    const key = await this.#key('defaults');
    return (await this.#cache.read('scopes', key, codecs.scopes, () => this.#inner.findDefaults())) ?? [];
  }

  async list(query: ScopeListQuery): Promise<Scope[]> {
    const key = await this.#key(`list:${String(query.includeInactive)}:${query.limit}:${query.offset}`);
    return (await this.#cache.read('scopes', key, codecs.scopes, () => this.#inner.list(query))) ?? [];
  }

  async count(includeInactive?: boolean): Promise<number> {
    const key = await this.#key(`count:${String(includeInactive)}`);
    return (await this.#cache.read('scopes', key, codecs.count, () => this.#inner.count(includeInactive))) ?? 0;
  }

  async update(id: string, patch: ScopePatch): Promise<Scope | undefined> {
    const scope = await this.#inner.update(id, patch);
    await this.#changed();
    return scope;
  }

  async delete(id: string): Promise<boolean> {
    const deleted = await this.#inner.delete(id);
    await this.#changed();
    return deleted;
  }

  async #key(rest: string): Promise<string> {
    return keys.scope(await this.#cache.version(versions.scopes), rest);
  }

  /** A scope write may change any scope read, and clients' scope names (renames, cascades). */
  #changed(): Promise<void> {
    return this.#cache.bump(versions.scopes, versions.assignments);
  }
}
