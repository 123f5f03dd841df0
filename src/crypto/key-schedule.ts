import type { SigningKey } from '../domain/signing-key.js';

/*
 * The life of a signing key, derived from the columns Authly already has:
 * `is_active`, `created_at` and `expires_at`. Nothing is stored about stages; they follow from
 * the time, so every instance computes the same answer from the same rows without coordination.
 *
 *                 created_at + delay <= now                next key promoted
 *   ┌────────┐   (and it is the newest such key)  ┌─────────┐  (lazy retire)  ┌───────────┐  expires_at <= now  ┌─────────┐
 *   │ staged │ ─────────────────────────────────► │ signing │ ──────────────► │ published │ ──────────────────► │ expired │
 *   └────────┘                                    └─────────┘                 └───────────┘                     └─────────┘
 *   is_active, in JWKS,                           is_active, in JWKS           is_active = false,                 deleteExpired
 *   does not sign yet                                                         expires_at = publishUntil          removes the row
 *
 * Per algorithm, among the active keys ordered by (created_at, kid):
 * - a key is *mature* once `created_at + rotation_delay <= now`;
 * - the *signing* key is the newest mature key, or, when none is mature, the OLDEST active key —
 *   so the very first key signs at once (zero-configuration start), and a rotated-in key
 *   never signs before verifiers had `rotation_delay` to refresh their JWKS caches;
 * - active keys newer than the signing key are *staged* (published, not signing);
 * - active keys older than the signing key are *superseded*: they no longer sign and are retired
 *   lazily (`retire(kid, now + max token lifetime)`), after which they are *published* until
 *   `expires_at` and then *expired*. A superseded key not yet retired also counts as published.
 * Two instances that create a first key at the same moment both converge on the same signing key
 * (the oldest, then the newest once mature); the other one is harmless since it is published.
 */

/** The columns the schedule reads. */
export type ScheduledKey = Pick<SigningKey, 'kid' | 'algorithm' | 'isActive' | 'createdAt' | 'expiresAt'>;

/** Where a key is in its life (see the state machine above). */
export type KeyStatus = 'signing' | 'staged' | 'published' | 'expired';

function byAge(a: ScheduledKey, b: ScheduledKey): number {
  return a.createdAt.getTime() - b.createdAt.getTime() || (a.kid < b.kid ? -1 : a.kid > b.kid ? 1 : 0);
}

/** When a key becomes eligible to sign: `created_at + rotation_delay`. */
export function signsFrom(key: ScheduledKey, delaySeconds: number): Date {
  return new Date(key.createdAt.getTime() + delaySeconds * 1000);
}

/** The key that signs tokens of `algorithm` at `now`, or `undefined` when there is no active key of it. */
export function signingKeyFor<K extends ScheduledKey>(
  keys: readonly K[],
  algorithm: string,
  now: Date,
  delaySeconds: number,
): K | undefined {
  const candidates = keys.filter((key) => key.isActive && key.algorithm === algorithm).sort(byAge);
  const mature = candidates.filter((key) => signsFrom(key, delaySeconds) <= now);
  return mature.at(-1) ?? candidates[0];
}

/** Active keys that a newer key has replaced: they should be retired. */
export function supersededKeys<K extends ScheduledKey>(keys: readonly K[], now: Date, delaySeconds: number): K[] {
  return keys.filter((key) => {
    if (!key.isActive) return false;
    const signing = signingKeyFor(keys, key.algorithm, now, delaySeconds);
    return signing !== undefined && byAge(key, signing) < 0;
  });
}

/** Whether the key belongs in JWKS at `now`: active, or retired but not yet past `expires_at`. */
export function isPublishable(key: ScheduledKey, now: Date): boolean {
  return key.isActive || (key.expiresAt !== null && key.expiresAt > now);
}

/** The status of `key` at `now`, given all keys (staged rotation). */
export function keyStatus(key: ScheduledKey, keys: readonly ScheduledKey[], now: Date, delaySeconds: number): KeyStatus {
  if (!key.isActive) return isPublishable(key, now) ? 'published' : 'expired';
  const signing = signingKeyFor(keys, key.algorithm, now, delaySeconds);
  if (signing === undefined || signing.kid === key.kid) return 'signing';
  return byAge(key, signing) > 0 ? 'staged' : 'published';
}
