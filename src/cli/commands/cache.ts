import type { Command } from 'commander';
import { cacheBackendOf } from '../../app/cache-backend.js';
import { hideUrlPassword } from '../../config/errors.js';
import type { Config } from '../../config/index.js';
import { configOption } from '../config-option.js';
import { processOutput } from '../output.js';
import type { CliOutput } from '../output.js';

interface CacheFlags {
  config?: string;
}

/** `authly cache stats` and `authly cache flush`. */
export function registerCache(program: Command, output: CliOutput = processOutput): void {
  const cache = program.command('cache').description('inspect or empty the shared (Redis) cache');
  cache
    .command('stats')
    .description('count cache entries in Redis per namespace (hit/miss counters live in each server)')
    .addOption(configOption())
    .action(async (flags: CacheFlags) => stats(await configFrom(flags), output));
  cache
    .command('flush')
    .description('delete every cache entry under redis.key_prefix and tell running servers to drop theirs')
    .addOption(configOption())
    .action(async (flags: CacheFlags) => flush(await configFrom(flags), output));
}

/** The configuration, its schema loaded only when a cache command runs. */
async function configFrom(flags: CacheFlags): Promise<Config> {
  const { loadConfig } = await import('../../config/load.js');
  return loadConfig({ flags });
}

/** The Redis location when the backend shares one, else a line explaining why there is none. */
function sharedCache(config: Config): { redisUrl: string; keyPrefix: string } | string {
  const backend = cacheBackendOf(config);
  if (backend === 'none') return 'cache.backend is none: nothing is cached';
  if (backend === 'memory') return 'cache.backend is memory: each server process has its own cache, nothing shared to report or flush';
  // Config validation requires redis.url for redis/tiered.
  return { redisUrl: config.redis.url ?? '', keyPrefix: config.redis.key_prefix };
}

/**
 * Runs a Redis command for the operator; a failure names the server and what to check, instead of
 * ioredis's bare "Connection is closed.".
 */
async function onRedis<T>(redisUrl: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `Redis at ${hideUrlPassword(redisUrl)} did not answer (${reason}): check that Redis runs there and that redis.url (AUTHLY_REDIS_URL) names it`,
      { cause: error },
    );
  }
}

async function stats(config: Config, output: CliOutput): Promise<void> {
  const location = sharedCache(config);
  if (typeof location === 'string') return output.out(location);
  const { countCachedKeys } = await import('../../cache/index.js');
  const counts = await onRedis(location.redisUrl, () => countCachedKeys(location));
  output.out(`keys in Redis under "${location.keyPrefix}" (a separate process cannot see the servers' hit/miss counters):`);
  const rows = Object.entries(counts).sort(([a], [b]) => a.localeCompare(b));
  const width = Math.max('NAMESPACE'.length, ...rows.map(([namespace]) => namespace.length));
  output.out(`${'NAMESPACE'.padEnd(width)}  KEYS`);
  for (const [namespace, count] of rows) output.out(`${namespace.padEnd(width)}  ${count}`);
  if (rows.length === 0) output.out('(empty)');
}

async function flush(config: Config, output: CliOutput): Promise<void> {
  const location = sharedCache(config);
  if (typeof location === 'string') return output.out(location);
  const { flushCachedKeys } = await import('../../cache/index.js');
  const deleted = await onRedis(location.redisUrl, () => flushCachedKeys(location));
  output.out(`deleted ${deleted} keys under "${location.keyPrefix}"; published a flush to running servers`);
}
