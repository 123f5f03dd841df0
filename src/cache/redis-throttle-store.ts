import type { Logger } from '../repositories/ports.js';
import type { ThrottleCount, ThrottleReservation, ThrottleStore } from '../services/login-throttle-store.js';
import { createRedisClient, type RedisClient } from './redis-client.js';

/** Options of {@link RedisThrottleStore}. */
export interface RedisThrottleStoreOptions {
  url: string;
  /** `redis.key_prefix`; counters live under `<prefix>throttle:`. */
  keyPrefix: string;
  logger: Logger;
  /** A command without an answer fails after this (the throttle then lets the request through); default 500 ms. */
  commandTimeoutMs?: number;
}

/*
 * Each script touches one key, so on a Redis Cluster counters spread over all slots (no hash tag
 * needed). One round trip, atomic on the server: INCR, and start the window on the first hit. The PTTL
 * check also repairs a key that lost its expiry, so a counter can never live forever.
 */
const INCREMENT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 or redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {count, redis.call('PTTL', KEYS[1])}`;

/*
 * The lockout reservation: check and increment in one script, which Redis runs without
 * interleaving any other command, so every instance together grants at most ARGV[1] slots.
 * Returns {reserved (1|0), count, pttl}.
 */
const RESERVE = `
local count = tonumber(redis.call('GET', KEYS[1]) or '0')
if count >= tonumber(ARGV[1]) then return {0, count, redis.call('PTTL', KEYS[1])} end
count = redis.call('INCR', KEYS[1])
if count == 1 or redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return {1, count, redis.call('PTTL', KEYS[1])}`;

/* Gives one slot back; never below zero, never creates the key. */
const RELEASE = `
local count = tonumber(redis.call('GET', KEYS[1]) or '0')
if count > 0 then redis.call('DECR', KEYS[1]) end
return 0`;

const PEEK = `
local count = redis.call('GET', KEYS[1])
if not count then return nil end
return {tonumber(count), redis.call('PTTL', KEYS[1])}`;

function toCount(reply: unknown): ThrottleCount | undefined {
  if (!Array.isArray(reply)) return undefined;
  const [count, ttl] = reply as [number, number];
  return { count: Number(count), resetInMs: Math.max(0, Number(ttl)) };
}

/**
 * Rate-limit and lockout counters in Redis, shared by every instance, so a
 * client cannot multiply its budget by spreading requests over instances. Commands issued
 * while connecting wait in the offline queue up to the command timeout.
 */
export class RedisThrottleStore implements ThrottleStore {
  readonly #client: RedisClient;
  readonly #prefix: string;
  #lastErrorLog = 0;

  constructor(options: RedisThrottleStoreOptions) {
    this.#prefix = `${options.keyPrefix}throttle:`;
    this.#client = createRedisClient(options.url, {
      connectTimeout: 1000,
      commandTimeout: options.commandTimeoutMs ?? 500,
      maxRetriesPerRequest: 1,
      retryStrategy: (attempt: number) => Math.min(50 * 2 ** Math.min(attempt, 10), 2000),
    });
    this.#client.on('error', (error: unknown) => {
      // Reconnect failures repeat every few seconds: log at most one a minute.
      if (Date.now() - this.#lastErrorLog < 60_000) return;
      this.#lastErrorLog = Date.now();
      options.logger.warn({ err: error }, 'rate-limit store: Redis unavailable');
    });
  }

  async increment(key: string, windowMs: number): Promise<ThrottleCount> {
    const reply = await this.#client.eval(INCREMENT, 1, this.#prefix + key, String(windowMs));
    const count = toCount(reply);
    if (!count) throw new Error('unexpected Redis reply to the throttle increment');
    return count;
  }

  async reserve(key: string, max: number, windowMs: number): Promise<ThrottleReservation> {
    const reply = await this.#client.eval(RESERVE, 1, this.#prefix + key, String(max), String(windowMs));
    if (!Array.isArray(reply)) throw new Error('unexpected Redis reply to the throttle reservation');
    const [reserved, ...rest] = reply as [number, number, number];
    const count = toCount(rest);
    if (!count) throw new Error('unexpected Redis reply to the throttle reservation');
    return { reserved: Number(reserved) === 1, ...count };
  }

  async release(key: string): Promise<void> {
    await this.#client.eval(RELEASE, 1, this.#prefix + key);
  }

  async peek(key: string): Promise<ThrottleCount | undefined> {
    return toCount(await this.#client.eval(PEEK, 1, this.#prefix + key));
  }

  async delete(key: string): Promise<void> {
    await this.#client.del(this.#prefix + key);
  }

  async close(): Promise<void> {
    this.#client.disconnect();
  }
}
