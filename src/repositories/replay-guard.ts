/**
 * One-time values seen until they expire: client assertion `jti`s (RFC 7523 §3 item 7) and DPoP
 * proof `jti`s (RFC 9449 §11.1). Shared through the database, so a value used on one instance is
 * refused on every other.
 */
export interface ReplayGuard {
  /**
   * Records `key` until `expiresAt`; true the first time, false while an earlier record of the
   * same key is unexpired at `now` (a replay). One atomic statement: of two concurrent uses
   * exactly one is first.
   */
  firstUse(key: string, expiresAt: Date, now: Date): Promise<boolean>;
  /** Deletes up to `limit` records that expired before `now`; returns how many. */
  deleteExpired(now: Date, limit: number): Promise<number>;
}
