import { createHash } from 'node:crypto';
import { InvalidGrant, OAuthError } from '../protocol/errors.js';
import type { Logger } from '../repositories/ports.js';
import { rateLimitExceeded } from './users/detail-error.js';
import type { ThrottleCount, ThrottleStore } from './login-throttle-store.js';

/** The `rate_limit` and `lockout` config sections (spec §8.1–8.2, D8). */
export interface LoginThrottleSettings {
  rateLimit: { enabled: boolean; windowSeconds: number; loginPerIp: number; loginPerUsername: number; registrationPerIp: number };
  lockout: { enabled: boolean; maxAttempts: number; durationSeconds: number };
}

/** One password login: where it comes from and which account it names. */
export interface LoginAttempt {
  ip: string;
  username: string;
}

/** Named per-address limits a route may declare (`config.rateLimit`). */
export type RateLimitBucket = 'registration';

/** Spec §8.2 / Appendix B: the lockout answer, 429 with the OAuth body. */
export const LOCKED_MESSAGE = 'Too many failed attempts. Account temporarily locked.';

/** The username as a bounded, case-folded key part (lookups ignore case, spec §7.1). */
function accountKey(username: string): string {
  return createHash('sha256').update(username.trim().toLowerCase()).digest('base64url').slice(0, 32);
}

function seconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

/**
 * Brute-force protection of password logins (spec §8.1–8.2, D8): per-address and per-username
 * rate limits, and a lockout after `max_attempts` consecutive failures that a success clears.
 * Unlike Authly (which counts attempts), only failures count toward the lockout, so concurrent
 * correct logins never lock an account. Counters live in the injected store (memory or Redis).
 * A store failure is logged and lets the request through: availability over throttling.
 */
export class LoginThrottle {
  readonly #store: ThrottleStore;
  readonly #settings: LoginThrottleSettings;
  readonly #logger: Logger;

  constructor(deps: { store: ThrottleStore; settings: LoginThrottleSettings; logger: Logger }) {
    this.#store = deps.store;
    this.#settings = deps.settings;
    this.#logger = deps.logger;
  }

  /**
   * Runs one password login under the limits: refuses a locked account (429 `invalid_grant`) or
   * an exceeded rate (429 `Rate limit exceeded`), then records the outcome of `run`: an
   * `invalid_grant` failure counts toward the lockout, a success clears the count.
   */
  async guard<T>(attempt: LoginAttempt, run: () => Promise<T>): Promise<T> {
    const account = accountKey(attempt.username);
    await this.#refuseIfLocked(account);
    const { loginPerIp, loginPerUsername } = this.#settings.rateLimit;
    await this.#limit(`login:ip:${attempt.ip}`, loginPerIp);
    await this.#limit(`login:user:${account}`, loginPerUsername);
    let result: T;
    try {
      result = await run();
    } catch (error) {
      if (error instanceof OAuthError && error.error === 'invalid_grant' && error.status !== 429) await this.#failed(account);
      throw error;
    }
    if (this.#settings.lockout.enabled) await this.#safely(() => this.#store.delete(`lockout:fail:${account}`), undefined);
    return result;
  }

  /** A declared per-address limit, e.g. self-registration (spec D8). */
  async limit(bucket: RateLimitBucket, ip: string): Promise<void> {
    await this.#limit(`${bucket}:ip:${ip}`, this.#settings.rateLimit.registrationPerIp);
  }

  async #limit(key: string, max: number): Promise<void> {
    const { enabled, windowSeconds } = this.#settings.rateLimit;
    if (!enabled) return;
    const hit = await this.#safely<ThrottleCount | undefined>(() => this.#store.increment(`rate:${key}`, windowSeconds * 1000), undefined);
    if (hit && hit.count > max) throw rateLimitExceeded(seconds(hit.resetInMs));
  }

  async #refuseIfLocked(account: string): Promise<void> {
    if (!this.#settings.lockout.enabled) return;
    const lock = await this.#safely(() => this.#store.peek(`lockout:lock:${account}`), undefined);
    if (lock) throw new InvalidGrant(LOCKED_MESSAGE, { status: 429, headers: { 'Retry-After': String(seconds(lock.resetInMs)) } });
  }

  async #failed(account: string): Promise<void> {
    const { enabled, maxAttempts, durationSeconds } = this.#settings.lockout;
    if (!enabled) return;
    const windowMs = durationSeconds * 1000;
    const failures = await this.#safely(() => this.#store.increment(`lockout:fail:${account}`, windowMs), undefined);
    if (!failures || failures.count < maxAttempts) return;
    // Spec §8.2: the account is locked for the full duration from the failure that tripped it.
    await this.#safely(() => this.#store.increment(`lockout:lock:${account}`, windowMs), undefined);
    await this.#safely(() => this.#store.delete(`lockout:fail:${account}`), undefined);
    this.#logger.warn({ event: 'account.locked', durationSeconds }, 'login: account locked after repeated failures');
  }

  async #safely<T>(op: () => Promise<T>, fallback: T): Promise<T> {
    try {
      return await op();
    } catch (error) {
      this.#logger.warn({ err: error }, 'login throttle: counter store unavailable, request allowed');
      return fallback;
    }
  }
}
