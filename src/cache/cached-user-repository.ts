import type { CredentialLookup, NewUser, User, UserCounts, UserCredentials, UserListQuery, UserPage, UserPatch } from '../domain/user.js';
import type { UserRepository, UserUpdateOptions } from '../repositories/user-repository.js';
import { codecs } from './codecs.js';
import { asciiLower, keys } from './keys.js';
import type { ReadThrough } from './read-through.js';

/** The keys a user row is cached under. */
function userKeys(user: Pick<User, 'id' | 'username' | 'email'>): string[] {
  return [keys.userById(user.id), keys.userByUsername(user.username), keys.userByEmail(user.email)];
}

/**
 * Users through the cache: one copy by id; username and email (case-insensitive) are pointers
 * to the id, checked against the row on every hit, so a rename can never serve a user under a
 * name it no longer has. Listings and counts pass through. Password hashes are never cached:
 * `User` does not carry one, and `findCredentials` always goes to the database.
 */
export class CachedUserRepository implements UserRepository {
  readonly #inner: UserRepository;
  readonly #cache: ReadThrough;

  constructor(inner: UserRepository, cache: ReadThrough) {
    this.#inner = inner;
    this.#cache = cache;
  }

  /** Nothing to invalidate: misses are not cached, and a pointer left by a former holder of the name fails its check. */
  create(input: NewUser): Promise<User> {
    return this.#inner.create(input);
  }

  findById(id: string): Promise<User | undefined> {
    return this.#cache.read('users', keys.userById(id), codecs.user, () => this.#inner.findById(id));
  }

  findByUsername(username: string): Promise<User | undefined> {
    return this.#byPointer(keys.userByUsername(username), username, (u) => u.username, () =>
      this.#inner.findByUsername(username),
    );
  }

  findByEmail(email: string): Promise<User | undefined> {
    return this.#byPointer(keys.userByEmail(email), email, (u) => u.email, () => this.#inner.findByEmail(email));
  }

  /** Uncached: the hash must not sit in memory or Redis, and a password check wants the stored truth. */
  findCredentials(lookup: CredentialLookup): Promise<UserCredentials | undefined> {
    return this.#inner.findCredentials(lookup);
  }

  findByDisplayNames(names: readonly string[], exceptId: string, limit: number): Promise<User[]> {
    return this.#inner.findByDisplayNames(names, exceptId, limit);
  }

  /** Drops the row's keys everywhere (other instances too), also when only the session epoch rose. */
  async update(id: string, patch: UserPatch, options?: UserUpdateOptions): Promise<User | undefined> {
    // A rename must drop the old name's pointer too; read it only when the patch renames.
    const renames = patch.username !== undefined || patch.email !== undefined;
    const before = renames ? await this.#inner.findById(id) : undefined;
    const user = await this.#inner.update(id, patch, options);
    const stale = new Set([keys.userById(id)]);
    for (const row of [before, user]) if (row !== undefined) for (const key of userKeys(row)) stale.add(key);
    await this.#cache.invalidate([...stale]);
    return user;
  }

  /**
   * Drops the row's copy everywhere. Its username and email pointers stay: a login renames
   * nothing, and every pointer hit is checked against the row anyway.
   */
  async recordLogin(id: string, at: Date): Promise<void> {
    await this.#inner.recordLogin(id, at);
    await this.#cache.invalidate([keys.userById(id)]);
  }

  async delete(id: string): Promise<boolean> {
    const before = await this.#inner.findById(id);
    const deleted = await this.#inner.delete(id);
    await this.#cache.invalidate(before === undefined ? [keys.userById(id)] : userKeys(before));
    return deleted;
  }

  list(query: UserListQuery): Promise<UserPage> {
    return this.#inner.list(query);
  }

  counts(): Promise<UserCounts> {
    return this.#inner.counts();
  }

  activeSessionCounts(userIds: readonly string[], now: Date): Promise<Map<string, number>> {
    return this.#inner.activeSessionCounts(userIds, now);
  }

  async #byPointer(
    key: string,
    wanted: string,
    field: (user: User) => string,
    lookup: () => Promise<User | undefined>,
  ): Promise<User | undefined> {
    let loaded: User | undefined;
    const id = await this.#cache.read('users', key, codecs.id, async (fill) => {
      loaded = await lookup();
      if (loaded !== undefined) await fill(keys.userById(loaded.id), loaded, codecs.user);
      return loaded?.id;
    });
    if (loaded !== undefined) return loaded;
    if (id === undefined) return undefined;
    const user = await this.findById(id);
    if (user !== undefined && asciiLower(field(user)) === asciiLower(wanted)) return user;
    // Stale pointer (renamed, deleted) or a non-ASCII case variant: the database decides.
    return lookup();
  }
}
