import { createHash } from 'node:crypto';
import { OAuthError } from '../protocol/errors.js';
import type { Logger } from '../repositories/ports.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { ThrottleCount, ThrottleStore } from './login-throttle-store.js';

/** The `rate_limit` settings that bound failed client authentications. */
export interface ClientAuthThrottleSettings {
  enabled: boolean;
  windowSeconds: number;
  failuresPerClient: number;
  failuresPerIp: number;
}

/** Which client a request names and where it comes from. */
export interface ClientAuthAttempt {
  clientId: string;
  /** The client address (`request.clientAddress`); absent outside HTTP. */
  ip: string | undefined;
}

/** The description of the 429 answer; the error code stays RFC 6749 §5.2's `invalid_client`. */
export const CLIENT_AUTH_THROTTLED = 'Too many failed client authentications. Try again later.';

/** The client_id as a bounded key part: the value comes from the request and may be long. */
function clientKey(clientId: string): string {
  return createHash('sha256').update(clientId).digest('base64url').slice(0, 32);
}

function seconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

/**
 * Brute-force and CPU protection of client authentication at the token, revocation and
 * introspection endpoints, over the login throttle's counter store with keys of its own
 * (`client-auth:…`). Failed authentications are counted per client_id from each address and per
 * address in fixed windows; a request whose client_id or address is at its limit is answered
 * `429 invalid_client` with `Retry-After` before any secret is checked (a throttled caller is
 * told to wait, not that its credentials are wrong). Only failures count, so a busy client that
 * authenticates correctly is never throttled. A slow check (an imported bcrypt hash) is reserved
 * before it runs, so a burst of concurrent guesses cannot start more of them than the limit.
 * A store failure is logged and lets the request through: availability over throttling.
 */
export class ClientAuthThrottle {
  readonly #store: ThrottleStore;
  readonly #settings: ClientAuthThrottleSettings;
  readonly #logger: Logger;
  readonly #audit: AuditLog | undefined;

  constructor(deps: { store: ThrottleStore; settings: ClientAuthThrottleSettings; logger: Logger; audit?: AuditLog }) {
    this.#store = deps.store;
    this.#settings = deps.settings;
    this.#logger = deps.logger;
    this.#audit = deps.audit;
  }

  /** Refuses (429) a client_id or address that reached its failure limit. */
  async admit(attempt: ClientAuthAttempt): Promise<void> {
    if (!this.#settings.enabled) return;
    for (const [key, max] of this.#keys('fail', attempt)) {
      const count = await this.#safely(() => this.#store.peek(key));
      if (count && count.count >= max) this.#refuse(count, attempt);
    }
  }

  /**
   * Reserves one slow secret check: counted before it runs (so concurrent requests cannot all
   * pass a check-then-count), refused (429) beyond the limit. A slow hash is replaced after its
   * first success, so its attempts are its failures plus at most one.
   */
  async reserveSlowCheck(attempt: ClientAuthAttempt): Promise<void> {
    if (!this.#settings.enabled) return;
    for (const [key, max] of this.#keys('slow', attempt)) {
      const count = await this.#safely(() => this.#store.increment(key, this.#settings.windowSeconds * 1000));
      if (count && count.count > max) this.#refuse(count, attempt);
    }
  }

  /** Counts one failed authentication against the client_id and the address. */
  async failed(attempt: ClientAuthAttempt): Promise<void> {
    if (!this.#settings.enabled) return;
    for (const [key] of this.#keys('fail', attempt)) {
      await this.#safely(() => this.#store.increment(key, this.#settings.windowSeconds * 1000));
    }
  }

  /*
   * Failures are counted per client_id *from one address*, and per address: a client_id is public,
   * so a per-client_id counter alone would let anyone lock a legitimate client out by sending wrong
   * secrets from elsewhere. Slow (bcrypt) checks are the exception: they cost CPU whoever asks, so
   * they are also bounded per client_id across all addresses.
   */
  #keys(kind: 'fail' | 'slow', attempt: ClientAuthAttempt): [string, number][] {
    const client = clientKey(attempt.clientId);
    const keys: [string, number][] = [];
    if (kind === 'slow' || !attempt.ip) keys.push([`client-auth:${kind}:client:${client}`, this.#settings.failuresPerClient]);
    if (attempt.ip) {
      if (kind === 'fail') keys.push([`client-auth:fail:client-ip:${client}:${attempt.ip}`, this.#settings.failuresPerClient]);
      keys.push([`client-auth:${kind}:ip:${attempt.ip}`, this.#settings.failuresPerIp]);
    }
    return keys;
  }

  #refuse(count: ThrottleCount, attempt: ClientAuthAttempt): never {
    this.#audit?.record({ event: 'client_auth.throttled', clientId: attempt.clientId, details: { ip: attempt.ip ?? null } });
    throw new OAuthError('invalid_client', CLIENT_AUTH_THROTTLED, 429, false, { headers: { 'Retry-After': String(seconds(count.resetInMs)) } });
  }

  async #safely<T>(op: () => Promise<T>): Promise<T | undefined> {
    try {
      return await op();
    } catch (error) {
      this.#logger.warn({ err: error }, 'client authentication throttle: counter store unavailable, request allowed');
      return undefined;
    }
  }
}
