import type { Repositories } from '../repositories/repositories.js';
import { CachedClientRepository } from './cached-client-repository.js';
import { CachedScopeRepository } from './cached-scope-repository.js';
import { CachedSigningKeyRepository } from './cached-signing-key-repository.js';
import { CachedUserRepository } from './cached-user-repository.js';
import type { CacheStore } from './cache-store.js';
import { ReadThrough } from './read-through.js';

/** What `withCache` needs. */
export interface WithCacheOptions {
  store: CacheStore;
}

/**
 * Wraps the read-mostly repositories (clients, scopes, users, signing keys) in cache decorators
 * that implement the same interfaces. Tokens and authorization codes pass through untouched:
 * single use and rotation are decided by the database.
 */
export function withCache(repositories: Repositories, options: WithCacheOptions): Repositories {
  const cache = new ReadThrough(options.store);
  return {
    ...repositories,
    clients: new CachedClientRepository(repositories.clients, cache),
    scopes: new CachedScopeRepository(repositories.scopes, cache),
    users: new CachedUserRepository(repositories.users, cache),
    signingKeys: new CachedSigningKeyRepository(repositories.signingKeys, cache),
    tokens: repositories.tokens,
    authorizationCodes: repositories.authorizationCodes,
  };
}
