import type { CacheCounters } from './cache-counters.js';
import { namespaceOf, type CacheCodec } from './cache-store.js';
import type { OutageLog } from './outage-log.js';
import type { RedisConnection } from './redis-connection.js';
import { deleteByPrefix } from './redis-scan.js';
import { entryTtlSeconds } from './keys.js';

/**
 * An invalidated key holds `TOMBSTONE + n` (for `tombstoneMs`), where `n` is the value the
 * shared counter `SEQUENCE_KEY` reached with that invalidation. A fill carries the counter value
 * read before its database read and may replace a tombstone only if it is at least `n`: a reader
 * that fetched the old row before the write cannot put it back, one that read after can.
 * Not valid output of any codec, so it is never mistaken for a value.
 */
export const TOMBSTONE = '\u0000tombstone:';

/** Logical key of the invalidation counter; never flushed (a reset would re-admit stale fills). */
export const SEQUENCE_KEY = '_meta:sequence';

/** KEYS[1] sequence, KEYS[2..] keys; ARGV tombstone prefix, tombstone ms. */
const INVALIDATE = `local n = redis.call('INCR', KEYS[1])
for i = 2, #KEYS do redis.call('SET', KEYS[i], ARGV[1] .. n, 'PX', ARGV[2]) end
return n`;

/**
 * KEYS[1] key, KEYS[2] sequence; ARGV value, ticket, ttl seconds, tombstone prefix. 1 = stored,
 * 0 = refused. A counter below the ticket means Redis lost data (restart, FLUSHALL): tombstones
 * may be gone too, so nothing read before that is trusted.
 */
const FILL = `if tonumber(redis.call('GET', KEYS[2]) or '0') < tonumber(ARGV[2]) then return 0 end
local current = redis.call('GET', KEYS[1])
if current then
  if string.sub(current, 1, #ARGV[4]) ~= ARGV[4] then return 0 end
  local n = tonumber(string.sub(current, #ARGV[4] + 1))
  if n == nil or n > tonumber(ARGV[2]) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[3])
return 1`;

/** Deletes a corrupt value only if it is still the one we read (not a fresh tombstone or value). */
const DELETE_IF_SAME = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";

/** Options of the shared tier. */
export interface RedisTierOptions {
  connection: RedisConnection;
  /** Prepended to every logical key, e.g. `authly:`. */
  prefix: string;
  ttlSeconds: number;
  /** How long a tombstone stands; longer than any database read (see `TOMBSTONE`). */
  tombstoneMs: number;
  counters: CacheCounters;
  outage: OutageLog;
}

/** What a fill did in Redis. */
export type FillOutcome = 'stored' | 'exists' | 'failed';

/**
 * The Redis tier (L2, or the whole `redis` backend). Every method swallows Redis errors: it
 * counts them, reports them to the outage log, and answers as a miss or a no-op.
 */
export class RedisTier {
  readonly #o: RedisTierOptions;

  constructor(options: RedisTierOptions) {
    this.#o = options;
  }

  /** True while commands can be sent. */
  get ready(): boolean {
    return this.#o.connection.ready;
  }

  /** The decoded value; a tombstone is a miss, a corrupt or foreign value is a miss and is deleted. */
  async get<T>(key: string, codec: CacheCodec<T>): Promise<T | undefined> {
    const text = await this.#run(key, (redis, full) => redis.get(full));
    if (text === undefined || text === null || text.startsWith(TOMBSTONE)) return undefined;
    const value = codec.decode(text);
    if (value !== undefined) return value;
    this.#o.counters.record(namespaceOf(key), 'errors');
    await this.#run(key, (redis, full) => redis.eval(DELETE_IF_SAME, 1, full, text));
    return undefined;
  }

  /** The shared invalidation counter now (0 before any invalidation); `undefined` if Redis failed. */
  async sequence(): Promise<number | undefined> {
    const reply = await this.#run(SEQUENCE_KEY, (redis, full) => redis.get(full));
    if (reply === undefined) return undefined;
    const n = reply === null ? 0 : Number(reply);
    return Number.isSafeInteger(n) ? n : undefined;
  }

  /** Adds the value unless a value exists or a tombstone newer than `ticket` (see `TOMBSTONE`). */
  async fill<T>(key: string, value: T, codec: CacheCodec<T>, ticket: number): Promise<FillOutcome> {
    const text = codec.encode(value);
    const reply = await this.#run(key, (redis, full) =>
      redis.eval(FILL, 2, full, this.#o.prefix + SEQUENCE_KEY, text, ticket, entryTtlSeconds(key, this.#o.ttlSeconds), TOMBSTONE),
    );
    if (reply === undefined) return 'failed';
    return reply === 1 ? 'stored' : 'exists';
  }

  /** Overwrites the key. */
  async put<T>(key: string, value: T, codec: CacheCodec<T>): Promise<boolean> {
    const text = codec.encode(value);
    return (await this.#run(key, (redis, full) => redis.set(full, text, 'EX', entryTtlSeconds(key, this.#o.ttlSeconds)))) !== undefined;
  }

  /** Replaces each key by a tombstone carrying the next counter value (see `TOMBSTONE`). */
  async tombstone(keys: readonly string[]): Promise<boolean> {
    if (keys.length === 0) return true;
    const full = [SEQUENCE_KEY, ...keys].map((key) => this.#o.prefix + key);
    const reply = await this.#run(keys[0] as string, (redis) =>
      redis.eval(INVALIDATE, full.length, ...full, TOMBSTONE, this.#o.tombstoneMs),
    );
    return reply !== undefined;
  }

  /** Deletes every key under the prefix (SCAN + UNLINK); returns how many, `undefined` on failure. */
  async flush(): Promise<number | undefined> {
    try {
      return await deleteByPrefix(this.#o.connection.client, this.#o.prefix, [this.#o.prefix + SEQUENCE_KEY]);
    } catch (error) {
      this.#o.outage.failure('commands', error);
      return undefined;
    }
  }

  /** Publishes `message` on `channel`; false when Redis did not take it. */
  async publish(channel: string, message: string): Promise<boolean> {
    try {
      await this.#o.connection.client.publish(channel, message);
      return true;
    } catch (error) {
      this.#o.outage.failure('commands', error);
      return false;
    }
  }

  async #run<R>(key: string, command: (redis: RedisConnection['client'], fullKey: string) => Promise<R>): Promise<R | undefined> {
    try {
      const reply = await command(this.#o.connection.client, this.#o.prefix + key);
      if (this.#o.outage.down) this.#o.outage.recovered('commands');
      return reply;
    } catch (error) {
      this.#o.counters.record(namespaceOf(key), 'errors');
      this.#o.outage.failure('commands', error);
      return undefined;
    }
  }
}
