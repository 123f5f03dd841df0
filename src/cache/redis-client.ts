import { createRequire } from 'node:module';
import type * as Ioredis from 'ioredis';
import type { Cluster, Redis } from 'ioredis';
import type { RedisOptions } from 'ioredis';
import { parseRedisUrl, type RedisNode, type RedisTarget } from '../config/redis-url.js';

/**
 * ioredis, required on first use: a server without Redis never loads it, which keeps start-up
 * short (it is among the largest modules the server would otherwise load).
 */
let loaded: typeof Ioredis | undefined;
function ioredis(): typeof Ioredis {
  loaded ??= createRequire(import.meta.url)('ioredis') as typeof Ioredis;
  return loaded;
}

/** A client of one server (also behind Sentinel) or of a Redis Cluster: the commands we use are on both. */
export type RedisClient = Redis | Cluster;

/** Connection behaviour; the same for every kind of target. */
export interface RedisClientOptions {
  connectTimeout: number;
  commandTimeout: number;
  maxRetriesPerRequest: number | null;
  enableOfflineQueue?: boolean;
  autoResubscribe?: boolean;
  autoResendUnfulfilledCommands?: boolean;
  lazyConnect?: boolean;
  /** Delay before reconnect attempt `attempt`; `null` gives up. */
  retryStrategy: (attempt: number) => number | null;
}

function nodeOptions(target: Exclude<RedisTarget, { kind: 'single' }>, options: RedisClientOptions): RedisOptions {
  return {
    connectTimeout: options.connectTimeout,
    commandTimeout: options.commandTimeout,
    maxRetriesPerRequest: options.maxRetriesPerRequest,
    ...(options.autoResubscribe === undefined ? {} : { autoResubscribe: options.autoResubscribe }),
    ...(options.autoResendUnfulfilledCommands === undefined ? {} : { autoResendUnfulfilledCommands: options.autoResendUnfulfilledCommands }),
    ...(target.username ? { username: target.username } : {}),
    ...(target.password ? { password: target.password } : {}),
    ...(target.tls ? { tls: {} } : {}),
  };
}

/**
 * Opens `redis.url` (see config/redis-url.ts): a plain client for `redis://`, a Sentinel-aware
 * client for `redis-sentinel://` (it asks the sentinels for the master and follows failovers), a
 * `Cluster` for `redis-cluster://` (it learns the slots from the seed nodes and follows MOVED).
 */
export function createRedisClient(url: string, options: RedisClientOptions): RedisClient {
  const target = parseRedisUrl(url);
  const common = {
    ...(options.enableOfflineQueue === undefined ? {} : { enableOfflineQueue: options.enableOfflineQueue }),
    ...(options.lazyConnect === undefined ? {} : { lazyConnect: options.lazyConnect }),
  };
  switch (target.kind) {
    case 'single':
      return new (ioredis().Redis)(url, {
        connectTimeout: options.connectTimeout,
        commandTimeout: options.commandTimeout,
        maxRetriesPerRequest: options.maxRetriesPerRequest,
        ...(options.autoResubscribe === undefined ? {} : { autoResubscribe: options.autoResubscribe }),
        ...(options.autoResendUnfulfilledCommands === undefined ? {} : { autoResendUnfulfilledCommands: options.autoResendUnfulfilledCommands }),
        retryStrategy: options.retryStrategy,
        ...common,
      });
    case 'sentinel':
      return new (ioredis().Redis)({
        ...nodeOptions(target, options),
        sentinels: target.sentinels,
        name: target.masterName,
        db: target.db,
        ...(target.sentinelUsername ? { sentinelUsername: target.sentinelUsername } : {}),
        ...(target.sentinelPassword ? { sentinelPassword: target.sentinelPassword } : {}),
        ...(target.tls ? { enableTLSForSentinelMode: true, sentinelTLS: {} } : {}),
        retryStrategy: options.retryStrategy,
        ...common,
      });
    case 'cluster':
      return new (ioredis().Cluster)(target.nodes, {
        redisOptions: nodeOptions(target, options),
        clusterRetryStrategy: options.retryStrategy,
        ...common,
      });
  }
}

/**
 * A plain client of one node, for pub/sub. Redis Cluster forwards every PUBLISH to all nodes, so
 * one node's subscription hears the whole cluster; a connection of our own (rather than the
 * `Cluster`'s, which moves to another node silently) lets the invalidation bus know exactly when
 * it may have missed a message. For a cluster it starts on the first seed node and moves to the
 * next one on every reconnect attempt, so a node that is gone for good is left behind; other
 * targets get a client like {@link createRedisClient}'s.
 */
export function createSubscriberClient(url: string, options: RedisClientOptions): Redis {
  const target = parseRedisUrl(url);
  if (target.kind !== 'cluster') return createRedisClient(url, options) as Redis;
  const { nodes } = target;
  const [first] = nodes as [RedisNode];
  const client: Redis = new (ioredis().Redis)({
    ...nodeOptions(target, options),
    host: first.host,
    port: first.port,
    retryStrategy(attempt: number) {
      // ioredis reads host and port from its options object at every connect.
      const next = nodes[attempt % nodes.length] as RedisNode;
      client.options.host = next.host;
      client.options.port = next.port;
      return options.retryStrategy(attempt);
    },
    ...(options.enableOfflineQueue === undefined ? {} : { enableOfflineQueue: options.enableOfflineQueue }),
  });
  return client;
}

/** True when `url` names a Redis Cluster. */
export function isClusterUrl(url: string): boolean {
  return parseRedisUrl(url).kind === 'cluster';
}

/**
 * Where the cache's keys live: `redis.key_prefix`, and on a Redis Cluster also the hash tag
 * `{cache}` (https://redis.io/docs/latest/operate/oss_and_stack/reference/cluster-spec/#hash-tags),
 * which puts every cache key in one slot. The Lua scripts of the shared tier touch a key and the
 * invalidation counter together, and a cluster runs a script only on keys of one slot.
 */
export function cacheKeyPrefix(keyPrefix: string, url: string): string {
  return isClusterUrl(url) ? `${keyPrefix}{cache}:` : keyPrefix;
}

/** The primaries of a cluster, or the one server: where SCAN must run to see every key. */
export function scanTargets(redis: RedisClient): Redis[] {
  return redis instanceof ioredis().Cluster ? redis.nodes('master') : [redis];
}
