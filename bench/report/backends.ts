/**
 * The backend configurations the report compares, each opened exactly as `authly serve` would
 * open it (the configuration loaded from `AUTHLY_*` variables, the cache decorators of
 * `withCache`), so every row measures what the server runs.
 */
import { createContainer } from '../../src/app/container.js';
import { createCacheStore } from '../../src/cache/index.js';
import { loadConfig } from '../../src/config/index.js';
import type { Repositories } from '../../src/repositories/repositories.js';
import type { Storage } from '../../src/storage/storage.js';
import { derivedUuid } from '../../src/storage/transfer/seed-rows.js';
import { quietLogger, REDIS_URL, type Services } from './services.js';

/** One configuration under test. */
export interface Variant {
  name: string;
  storage: 'postgresql' | 'sqlite' | 'memory';
  cache: 'none' | 'memory' | 'tiered';
}

/** Every configuration, PostgreSQL first: the other rows are divided by it. */
export const VARIANTS: readonly Variant[] = [
  { name: 'postgresql', storage: 'postgresql', cache: 'none' },
  { name: 'sqlite', storage: 'sqlite', cache: 'none' },
  { name: 'memory', storage: 'memory', cache: 'none' },
  { name: 'sqlite + memory cache', storage: 'sqlite', cache: 'memory' },
  { name: 'sqlite + tiered cache', storage: 'sqlite', cache: 'tiered' },
  { name: 'postgresql + tiered cache', storage: 'postgresql', cache: 'tiered' },
];

/** The variants whose servers answered (PostgreSQL and Redis rows need theirs). */
export function availableVariants(services: Services, names?: readonly string[]): Variant[] {
  return VARIANTS.filter((v) => (names === undefined || names.includes(v.name)) && (v.storage !== 'postgresql' || services.postgres) && (v.cache !== 'tiered' || services.redis));
}

/** Where the databases are: a SQLite file, a PostgreSQL URL. */
export interface Locations {
  sqlitePath: string;
  postgresUrl?: string;
  /** Folder of the master key file (so nothing is written into the working tree). */
  dir: string;
}

/** The environment `authly serve` runs a variant with (logs quiet, rate limits and pruner off). */
export function variantEnv(variant: Variant, at: Locations, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {
    AUTHLY_DATABASE__BACKEND: variant.storage,
    AUTHLY_DATABASE__SQLITE__PATH: at.sqlitePath,
    AUTHLY_DATABASE__PRUNE_INTERVAL_SECONDS: '0',
    AUTHLY_SECRETS__MASTER_KEY_FILE: `${at.dir}/authly.key`,
    AUTHLY_RATE_LIMIT__ENABLED: 'false',
    AUTHLY_CACHE__BACKEND: variant.cache,
    AUTHLY_LOGGING__LEVEL: 'warn',
    ...extra,
  };
  if (at.postgresUrl !== undefined) env.AUTHLY_DATABASE__POSTGRESQL__URL = at.postgresUrl;
  if (variant.cache === 'tiered') {
    env.AUTHLY_REDIS__URL = REDIS_URL;
    env.AUTHLY_REDIS__KEY_PREFIX = `authly-bench-${process.pid}-${variant.name.replace(/\W+/g, '-')}:`;
  }
  return env;
}

/** An opened variant: the repositories the services would get, and how to close them. */
export interface OpenedVariant {
  variant: Variant;
  storage: Storage;
  repos: Repositories;
  close(): Promise<void>;
}

/**
 * Opens `variant` through the server's own composition root: storage, pending migrations (a new
 * `:memory:` database gets its schema here), the cache decorators and the cache warm-up.
 */
export async function openVariant(variant: Variant, at: Locations): Promise<OpenedVariant> {
  const container = await createContainer(loadConfig({ env: variantEnv(variant, at), flags: {} }), { logger: quietLogger });
  return {
    variant,
    storage: container.storage,
    repos: container.repositories,
    async close() {
      if (variant.cache === 'tiered') await flushPrefix(container.config.redis.url!, container.config.redis.key_prefix);
      await container.close();
    },
  };
}

/** Removes the keys a tiered run left in Redis under its own prefix. */
async function flushPrefix(redisUrl: string, keyPrefix: string): Promise<void> {
  const handle = createCacheStore({ backend: 'redis', ttlSeconds: 1, maxSize: 1, redisUrl, keyPrefix, logger: quietLogger });
  try {
    if (await handle.store!.ready(2000)) await handle.store!.flush();
  } finally {
    await handle.close();
  }
}

/** The id `authly db seed` (and {@link fillThroughRepositories}) gives user `n` under `seed`. */
export function seededUserId(seed: number, n: number): string {
  return derivedUuid(`${seed}:user:${n}`);
}
