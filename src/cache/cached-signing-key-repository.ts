import type { NewSigningKey, SigningKey } from '../domain/signing-key.js';
import type { SigningKeyRepository } from '../repositories/signing-key-repository.js';
import { codecs } from './codecs.js';
import { keys, versions } from './keys.js';
import type { ReadThrough } from './read-through.js';

/**
 * Signing keys through the cache: read on every token issued and every JWKS request, written a
 * few times a year. Every key carries the namespace version, and every write replaces it:
 * `deleteExpired` does not say which kids it removed, so per-kid invalidation is not possible.
 */
export class CachedSigningKeyRepository implements SigningKeyRepository {
  readonly #inner: SigningKeyRepository;
  readonly #cache: ReadThrough;

  constructor(inner: SigningKeyRepository, cache: ReadThrough) {
    this.#inner = inner;
    this.#cache = cache;
  }

  async add(input: NewSigningKey): Promise<SigningKey> {
    const key = await this.#inner.add(input);
    await this.#cache.bump(versions.signingKeys);
    return key;
  }

  async addFirst(input: NewSigningKey): Promise<SigningKey | undefined> {
    const key = await this.#inner.addFirst(input);
    // Bumped either way: without a row, another instance's key is in the database, not in our cache.
    await this.#cache.bump(versions.signingKeys);
    return key;
  }

  async findByKid(kid: string): Promise<SigningKey | undefined> {
    return this.#cache.read('signingKeys', await this.#key(`kid:${kid}`), codecs.signingKey, () => this.#inner.findByKid(kid));
  }

  async listActive(): Promise<SigningKey[]> {
    const key = await this.#key('active');
    return (await this.#cache.read('signingKeys', key, codecs.signingKeys, () => this.#inner.listActive())) ?? [];
  }

  async list(): Promise<SigningKey[]> {
    const key = await this.#key('all');
    return (await this.#cache.read('signingKeys', key, codecs.signingKeys, () => this.#inner.list())) ?? [];
  }

  async retire(kid: string, publishUntil: Date): Promise<boolean> {
    const retired = await this.#inner.retire(kid, publishUntil);
    await this.#cache.bump(versions.signingKeys);
    return retired;
  }

  async deleteExpired(now: Date): Promise<number> {
    const removed = await this.#inner.deleteExpired(now);
    if (removed > 0) await this.#cache.bump(versions.signingKeys);
    return removed;
  }

  async #key(rest: string): Promise<string> {
    return keys.signingKey(await this.#cache.version(versions.signingKeys), rest);
  }
}
