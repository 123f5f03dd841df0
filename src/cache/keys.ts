/*
 * Logical cache keys, one place. The first segment is the namespace the counters report.
 * Free text (client_id, username, scope names) always comes last, so keys cannot collide.
 */

/** Lower-cases ASCII letters only: SQLite's `lower()` does exactly this (PostgreSQL's more). */
export function asciiLower(text: string): string {
  return text.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
}

/** Version names (see `ReadThrough.version`). */
export const versions = {
  scopes: 'scopes',
  /** Clients' scope assignments: changed by client writes and by any scope write. */
  assignments: 'clients:assigned',
  signingKeys: 'signingKeys',
} as const;

/** Key builders per aggregate. */
export const keys = {
  clientById: (id: string) => `clients:id:${id}`,
  clientByClientId: (clientId: string) => `clients:cid:${clientId}`,
  clientScopes: (version: string, id: string) => `clients:assigned:${version}:${id}`,
  userById: (id: string) => `users:id:${id}`,
  /** Case-insensitive, as the repository's lookup (Unicode case variants just miss). */
  userByUsername: (username: string) => `users:name:${asciiLower(username)}`,
  userByEmail: (email: string) => `users:email:${asciiLower(email)}`,
  scope: (version: string, rest: string) => `scopes:${version}:${rest}`,
  signingKey: (version: string, rest: string) => `signingKeys:${version}:${rest}`,
} as const;

/**
 * Signing keys are cached at most this long, whatever `cache.ttl` says. Instances that share a
 * database but no Redis learn of a key another instance (or `authly keys rotate`) added only by
 * re-reading; the keystore re-reads every {@link SIGNING_KEYS_TTL_SECONDS} too, so a new or
 * retired key is seen everywhere within twice this: one minute.
 */
export const SIGNING_KEYS_TTL_SECONDS = 30;

/** The lifetime of the entry `key`: `ttlSeconds` (`cache.ttl`), shorter for signing keys. */
export function entryTtlSeconds(key: string, ttlSeconds: number): number {
  return key.startsWith('signingKeys:') ? Math.min(ttlSeconds, SIGNING_KEYS_TTL_SECONDS) : ttlSeconds;
}
