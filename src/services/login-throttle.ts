import { createHash } from 'node:crypto';
import { InvalidGrant, OAuthError } from '../protocol/errors.js';
import type { Logger } from '../repositories/ports.js';
import type { AuditLog } from '../audit/audit-log.js';
import { rateLimitExceeded } from './users/detail-error.js';
import type { ThrottleCount, ThrottleReservation, ThrottleStore } from './login-throttle-store.js';

/** The `rate_limit` and `lockout` config sections. */
export interface LoginThrottleSettings {
  rateLimit: { enabled: boolean; windowSeconds: number; loginPerIp: number; loginPerUsername: number; registrationPerIp: number; pushedRequestsPerIp?: number; clientRegistrationPerIp?: number };
  lockout: { enabled: boolean; maxAttempts: number; durationSeconds: number };
}

/**
 * One password check: where it comes from and which account it names — a login name as typed
 * (password grant, login form), or the stored username of an authenticated user
 * (change-password), which is already canonical.
 */
export type LoginAttempt = { ip: string; username: string } | { ip: string; account: string };

/** Options of {@link LoginThrottle.guard}. */
export interface GuardOptions {
  /** Which errors of `run` are a wrong password; by default `invalid_grant` (not a 429). */
  isFailure?: (error: unknown) => boolean;
}

/** The stored username of the account a login name reaches, by the same lookup the login uses. */
export type AccountFinder = (username: string) => Promise<string | undefined>;

/** Named per-address limits a route may declare (`config.rateLimit`). */
export type RateLimitBucket = 'registration' | 'pushed_request' | 'client_registration';

/** Waits between attempts to take a slot held by checks still running: first, and at most. */
const FIRST_WAIT_MS = 10;
const LONGEST_WAIT_MS = 200;
/** How long an attempt waits for a slot in all before it is refused (429, retry in a second). */
const MAX_WAIT_MS = 5000;

/** Resolves after `ms`; injected so tests need not wait. */
export type Sleep = (ms: number) => Promise<void>;

const timerSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The lockout answer Authly gives, 429 with the OAuth body (RFC 6749 §5.2 `invalid_grant`). */
export const LOCKED_MESSAGE = 'Too many failed attempts. Account temporarily locked.';

/** The name an attempt gives: as typed, or the stored username. */
function nameOf(attempt: LoginAttempt): string {
  return 'account' in attempt ? attempt.account : attempt.username;
}

function bounded(key: string): string {
  return createHash('sha256').update(key).digest('base64url').slice(0, 32);
}

function seconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

function isWrongPassword(error: unknown): boolean {
  return error instanceof OAuthError && error.error === 'invalid_grant' && error.status !== 429;
}

function locked(retryAfterMs: number): InvalidGrant {
  return new InvalidGrant(LOCKED_MESSAGE, { status: 429, headers: { 'Retry-After': String(seconds(retryAfterMs)) } });
}

/**
 * Brute-force protection of password checks: per-address and per-account
 * rate limits, and a lockout after `max_attempts` consecutive failures that a success clears.
 *
 * - Counters are keyed on the account the name reaches (its stored username), found by the same
 *   lookup the login uses, so no other spelling of a name (case, Unicode folding) reaches a
 *   locked account under a fresh counter. A name that reaches no account is counted under its
 *   NFKC, lower-cased form, so unknown names lock like known ones and the lock reveals nothing.
 * - Every attempt reserves its slot atomically before the password is checked, so concurrent
 *   attempts can never check more than `max_attempts` passwords of one account: the rest are
 *   kept waiting (briefly) for a slot, without touching the hasher. A wrong password keeps its
 *   slot (that is the failure count), a success clears them all, any other error gives its slot
 *   back. So a burst of wrong passwords checks `max_attempts` of them, locks the account, and
 *   the waiting rest are answered 429; a burst of correct ones waits its turn and gets in.
 *
 * Counters live in the injected store (memory or Redis). A store failure is logged and lets the
 * request through: availability over throttling.
 */
export class LoginThrottle {
  readonly #store: ThrottleStore;
  readonly #settings: LoginThrottleSettings;
  readonly #logger: Logger;
  readonly #findAccount: AccountFinder;
  readonly #sleep: Sleep;
  readonly #audit: AuditLog | undefined;

  constructor(deps: { store: ThrottleStore; settings: LoginThrottleSettings; logger: Logger; findAccount?: AccountFinder; sleep?: Sleep; audit?: AuditLog }) {
    this.#audit = deps.audit;
    this.#store = deps.store;
    this.#settings = deps.settings;
    this.#logger = deps.logger;
    this.#findAccount = deps.findAccount ?? (() => Promise.resolve(undefined));
    this.#sleep = deps.sleep ?? timerSleep;
  }

  /**
   * Runs one password check under the limits: refuses a locked account (429 `invalid_grant`) or
   * an exceeded rate (429 `Rate limit exceeded`), reserves the attempt, then settles it by the
   * outcome of `run`.
   */
  async guard<T>(attempt: LoginAttempt, run: () => Promise<T>, options: GuardOptions = {}): Promise<T> {
    const account = await this.#accountKey(attempt);
    await this.#refuseIfLocked(account);
    const { loginPerIp, loginPerUsername } = this.#settings.rateLimit;
    await this.#limit(`login:ip:${attempt.ip}`, loginPerIp, { bucket: 'login_ip', ip: attempt.ip });
    await this.#limit(`login:user:${account}`, loginPerUsername, { bucket: 'login_username', ip: attempt.ip, username: nameOf(attempt) });
    const reservation = await this.#reserve(account);
    let result: T;
    try {
      result = await run();
    } catch (error) {
      if ((options.isFailure ?? isWrongPassword)(error)) await this.#failed(account, reservation, attempt);
      else if (reservation) await this.#safely(() => this.#store.release(`lockout:fail:${account}`), undefined);
      throw error;
    }
    if (reservation) await this.#safely(() => this.#store.delete(`lockout:fail:${account}`), undefined);
    return result;
  }

  /** A declared per-address limit, e.g. self-registration. */
  async limit(bucket: RateLimitBucket, ip: string): Promise<void> {
    const { registrationPerIp, pushedRequestsPerIp, clientRegistrationPerIp } = this.#settings.rateLimit;
    const limit = bucket === 'pushed_request' ? (pushedRequestsPerIp ?? registrationPerIp) : bucket === 'client_registration' ? (clientRegistrationPerIp ?? registrationPerIp) : registrationPerIp;
    await this.#limit(`${bucket}:ip:${ip}`, limit, { bucket, ip });
  }

  /** The canonical account: the stored name of the account a name reaches, else the folded name. */
  async #accountKey(attempt: LoginAttempt): Promise<string> {
    if ('account' in attempt) return bounded(`account:${attempt.account}`);
    const stored = await this.#findAccount(attempt.username);
    return bounded(stored !== undefined ? `account:${stored}` : `name:${attempt.username.normalize('NFKC').toLowerCase()}`);
  }

  async #limit(key: string, max: number, what: Record<string, string>): Promise<void> {
    const { enabled, windowSeconds } = this.#settings.rateLimit;
    if (!enabled) return;
    const hit = await this.#safely<ThrottleCount | undefined>(() => this.#store.increment(`rate:${key}`, windowSeconds * 1000), undefined);
    if (hit && hit.count > max) {
      this.#audit?.record({ event: 'rate_limit.exceeded', details: what });
      throw rateLimitExceeded(seconds(hit.resetInMs));
    }
  }

  async #refuseIfLocked(account: string): Promise<void> {
    if (!this.#settings.lockout.enabled) return;
    const lock = await this.#safely(() => this.#store.peek(`lockout:lock:${account}`), undefined);
    if (lock) throw locked(lock.resetInMs);
  }

  /**
   * Takes one of the account's `max_attempts` slots. While all are taken by checks still running,
   * it waits: they end in a success (which frees every slot) or in the lock (refused at once). A
   * slot that never frees up is refused with the lockout answer after {@link MAX_WAIT_MS}.
   * `undefined` when the lockout is off or the store is unavailable.
   */
  async #reserve(account: string): Promise<ThrottleReservation | undefined> {
    const { enabled, maxAttempts, durationSeconds } = this.#settings.lockout;
    if (!enabled) return undefined;
    for (let waited = 0, wait = FIRST_WAIT_MS; ; waited += wait, wait = Math.min(wait * 2, LONGEST_WAIT_MS)) {
      const reservation = await this.#safely<ThrottleReservation | undefined>(
        () => this.#store.reserve(`lockout:fail:${account}`, maxAttempts, durationSeconds * 1000),
        undefined,
      );
      if (!reservation || reservation.reserved) return reservation;
      await this.#refuseIfLocked(account);
      if (waited >= MAX_WAIT_MS) throw locked(1000);
      await this.#sleep(wait);
    }
  }

  /**
   * The reserved slot stays as the failure. When the slots are then all held, the account is
   * locked. The counter is read afresh rather than taken from the reservation: a success in
   * between cleared the earlier failures, and must not lock the account after the fact.
   */
  async #failed(account: string, reservation: ThrottleReservation | undefined, attempt: LoginAttempt): Promise<void> {
    const { maxAttempts, durationSeconds } = this.#settings.lockout;
    if (!reservation) return;
    const failures = await this.#safely(() => this.#store.peek(`lockout:fail:${account}`), undefined);
    if (!failures || failures.count < maxAttempts) return;
    // The account is locked for the full duration from the failure that tripped it.
    await this.#safely(() => this.#store.increment(`lockout:lock:${account}`, durationSeconds * 1000), undefined);
    this.#audit?.record({ event: 'account.locked', details: { username: nameOf(attempt), ip: attempt.ip, duration_seconds: durationSeconds } });
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
