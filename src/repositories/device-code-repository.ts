import type { DeviceCode, DeviceDecision, NewDeviceCode } from '../domain/device-code.js';

/** Device authorization requests (RFC 8628). Never cached: polling state is decided by the database. */
export interface DeviceCodeRepository {
  /** Throws `ConflictError` on a duplicate device or user code digest. */
  save(input: NewDeviceCode): Promise<DeviceCode>;
  findByDeviceCode(deviceCodeHash: string): Promise<DeviceCode | undefined>;
  /** A pending, unexpired request by its user-code digest. */
  findPendingByUserCode(userCodeHash: string, now: Date): Promise<DeviceCode | undefined>;
  /** Records the user's answer if the request is still pending and unexpired; true when this call did. */
  decide(id: string, decision: DeviceDecision, now: Date): Promise<boolean>;
  /**
   * Takes a polling slot: when `next_poll_at` has passed (or was never set) it moves to
   * `nextPollAt` and true is returned; otherwise the interval rises by `slowDownSeconds`, the
   * next slot moves out with it, and false is returned (RFC 8628 §3.5 `slow_down`).
   */
  takePollSlot(id: string, now: Date, slowDownSeconds: number): Promise<boolean>;
  /** Marks an approved request consumed; returns it only when this call won (single use). */
  consume(id: string): Promise<DeviceCode | undefined>;
  /** Removes requests that expired before `now`; returns how many. */
  deleteExpired(now: Date, limit?: number): Promise<number>;
}
