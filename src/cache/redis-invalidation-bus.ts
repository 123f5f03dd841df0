import type { Invalidation } from './cache-store.js';
import type { RedisConnection } from './redis-connection.js';

/** The wire form of an invalidation: the sender's instance id, then keys or `all`. */
interface Message {
  i: string;
  k?: string[];
  all?: true;
}

/** Options of the bus. */
export interface InvalidationBusOptions {
  /** A dedicated connection: a subscribed Redis connection can run nothing else. */
  subscriber: RedisConnection;
  /** `<prefix>invalidate`. */
  channel: string;
  instanceId: string;
  /** Another instance invalidated something (never called for our own messages). */
  onEvent: (event: Invalidation) => void;
  /** Subscribed (`true`): events flow. Not subscribed (`false`): some may be missed. */
  onState: (subscribed: boolean) => void;
}

/** The channel every instance with this key prefix listens on. */
export function invalidationChannel(prefix: string): string {
  return `${prefix}invalidate`;
}

/** Encodes an invalidation for `PUBLISH`. */
export function encodeInvalidation(instanceId: string, event: Invalidation): string {
  const message: Message = 'all' in event ? { i: instanceId, all: true } : { i: instanceId, k: [...event.keys] };
  return JSON.stringify(message);
}

/**
 * Receives the invalidations other instances publish. The subscription is (re)made on every
 * `ready` of the connection and reported only once Redis confirmed it, so `subscribed` is true
 * exactly while no event can be missed.
 */
export class RedisInvalidationBus {
  readonly #o: InvalidationBusOptions;
  #subscribed = false;

  constructor(options: InvalidationBusOptions) {
    this.#o = options;
    const { client } = options.subscriber;
    client.on('message', (channel: string, text: string) => {
      if (channel === options.channel) this.#receive(text);
    });
    client.on('ready', () => void this.#subscribe());
    client.on('close', () => this.#setSubscribed(false));
    if (options.subscriber.ready) void this.#subscribe();
  }

  /** True while events are flowing. */
  get subscribed(): boolean {
    return this.#subscribed;
  }

  async #subscribe(): Promise<void> {
    try {
      await this.#o.subscriber.client.subscribe(this.#o.channel);
      this.#setSubscribed(true);
    } catch {
      // The connection dropped while subscribing; the next `ready` tries again.
    }
  }

  #setSubscribed(value: boolean): void {
    if (this.#subscribed === value) return;
    this.#subscribed = value;
    this.#o.onState(value);
  }

  #receive(text: string): void {
    let message: Partial<Message>;
    try {
      message = JSON.parse(text) as Partial<Message>;
    } catch {
      // Unreadable: we cannot know what changed, so assume everything did.
      this.#o.onEvent({ all: true });
      return;
    }
    if (message.i === this.#o.instanceId) return;
    if (Array.isArray(message.k) && message.k.every((k) => typeof k === 'string')) {
      this.#o.onEvent({ keys: message.k });
    } else {
      this.#o.onEvent({ all: true });
    }
  }
}
