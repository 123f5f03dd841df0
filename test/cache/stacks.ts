import { randomBytes } from 'node:crypto';
import { openStorage } from '../../src/app/storage.js';
import { createCacheStore, withCache, type CacheStore } from '../../src/cache/index.js';
import type { Logger } from '../../src/repositories/ports.js';
import type { Repositories } from '../../src/repositories/repositories.js';
import type { Storage } from '../../src/storage/storage.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';
import { REDIS_URL } from '../helpers/services.js';
import { DEFAULT_TEST_PRAGMAS } from '../storage/pragmas.js';

/** A key prefix no other test file or run shares. */
export function uniquePrefix(): string {
  return `authly-test-${randomBytes(5).toString('hex')}:`;
}

/** A line a `recordingLogger` received. */
export interface LogLine {
  level: string;
  obj: object;
  msg?: string;
}

/** A logger that records what it was told and lets a test wait for a line. */
export function recordingLogger(): Logger & { lines: LogLine[]; next(level: string, timeoutMs?: number): Promise<LogLine> } {
  const lines: LogLine[] = [];
  const waiters: { level: string; resolve(line: LogLine): void }[] = [];
  const at = (level: string) => (obj: object, msg?: string) => {
    const line = { level, obj, msg };
    lines.push(line);
    for (const waiter of waiters.splice(0)) {
      if (waiter.level === level) waiter.resolve(line);
      else waiters.push(waiter);
    }
  };
  return {
    lines,
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    next(level, timeoutMs = 3000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${level} line within ${timeoutMs} ms`)), timeoutMs);
        waiters.push({ level, resolve: (line) => (clearTimeout(timer), resolve(line)) });
      });
    },
  };
}

/** Opens SQLite `:memory:`, migrated. */
export async function openSqliteMemory(): Promise<Storage> {
  const storage = await openStorage({ backend: 'memory', pragmas: DEFAULT_TEST_PRAGMAS });
  await storage.migrate();
  return storage;
}

/** Opens a fresh PostgreSQL test database, migrated; closing drops it. */
export async function openPostgres(database?: TestDatabase): Promise<{ storage: Storage; close(): Promise<void> }> {
  const db = database ?? (await createTestDatabase());
  const storage = await openStorage({ backend: 'postgresql', connectionString: db.url, poolSize: 5 });
  await storage.migrate();
  return {
    storage,
    async close() {
      await storage.close();
      if (database === undefined) await db.drop();
    },
  };
}

/** Options of one cached stack. */
export interface StackOptions {
  cache: 'memory' | 'redis' | 'tiered';
  prefix: string;
  logger?: Logger;
  redisUrl?: string;
  instanceId?: string;
  ttlSeconds?: number;
  maxSize?: number;
  maxRetryDelayMs?: number;
  /** How long to wait for Redis before handing the stack out; default 5000 ms. */
  readyTimeoutMs?: number;
}

/** Repositories wrapped in a cache, and the store for inspection. */
export interface CachedStack {
  repositories: Repositories;
  store: CacheStore;
  close(): Promise<void>;
}

/** Wraps `base` in a cache store of the given kind; Redis-backed stores are awaited until ready. */
export async function cachedStack(base: Repositories, options: StackOptions): Promise<CachedStack> {
  const handle = createCacheStore({
    backend: options.cache,
    ttlSeconds: options.ttlSeconds ?? 300,
    maxSize: options.maxSize ?? 10_000,
    redisUrl: options.redisUrl ?? REDIS_URL,
    keyPrefix: options.prefix,
    logger: options.logger ?? recordingLogger(),
    instanceId: options.instanceId,
    maxRetryDelayMs: options.maxRetryDelayMs,
  });
  const store = handle.store!;
  await store.ready(options.readyTimeoutMs ?? 5000);
  return {
    repositories: withCache(base, { store }),
    store,
    async close() {
      // Leave nothing behind in the shared Redis.
      if (options.cache !== 'memory') await store.flush();
      await handle.close();
    },
  };
}
