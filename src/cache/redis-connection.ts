import type { OutageLog } from './outage-log.js';
import { createRedisClient, createSubscriberClient, type RedisClient } from './redis-client.js';

/** How the cache talks to Redis; short timeouts so a read never waits long on a dead server. */
export interface RedisConnectionOptions {
  url: string;
  /** Names the connection in logs (`commands`, `subscriber`); a `subscriber` is one node's connection. */
  name: 'commands' | 'subscriber';
  outage: OutageLog;
  /** TCP connect timeout; default 1000 ms. */
  connectTimeoutMs?: number;
  /** A command that gets no answer fails after this; default 500 ms. */
  commandTimeoutMs?: number;
  /** Reconnect back-off cap; default 2000 ms. */
  maxRetryDelayMs?: number;
  onReady?: () => void;
  onDown?: () => void;
}

/** An ioredis client plus a `close` that is not mistaken for an outage. */
export interface RedisConnection {
  readonly client: RedisClient;
  /** True while commands can be sent. */
  readonly ready: boolean;
  close(): void;
}

/**
 * Opens a client that fails fast instead of queueing: no offline queue and no per-request
 * retries, so while Redis is down every command rejects at once and the caller falls through to
 * the database. ioredis keeps reconnecting in the background (forever, with capped back-off).
 */
export function openRedisConnection(options: RedisConnectionOptions): RedisConnection {
  const maxDelay = options.maxRetryDelayMs ?? 2000;
  let closing = false;
  const open = options.name === 'subscriber' ? createSubscriberClient : createRedisClient;
  const client = open(options.url, {
    connectTimeout: options.connectTimeoutMs ?? 1000,
    commandTimeout: options.commandTimeoutMs ?? 500,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    // The bus resubscribes itself on `ready`, so it knows exactly when events flow again.
    autoResubscribe: false,
    autoResendUnfulfilledCommands: false,
    retryStrategy: function backOff(attempt: number) {
      return Math.min(50 * 2 ** Math.min(attempt, 10), maxDelay);
    },
  });
  // Without an `error` listener ioredis prints every reconnect failure to stderr.
  client.on('error', function onError(error: unknown) {
    if (!closing) options.outage.failure(options.name, error);
  });
  client.on('close', function onClose() {
    if (closing) return;
    options.outage.failure(options.name, new Error('connection closed'));
    options.onDown?.();
  });
  client.on('ready', function onReady() {
    options.outage.recovered(options.name);
    options.onReady?.();
  });
  return {
    client,
    get ready() {
      return client.status === 'ready';
    },
    close() {
      closing = true;
      client.disconnect();
    },
  };
}
