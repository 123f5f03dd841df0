import type { NewSigningKey, SigningKey } from '../domain/signing-key.js';

/** Signing keys, shared by every instance. */
export interface SigningKeyRepository {
  /** Throws `ConflictError` on a duplicate `kid`. */
  add(input: NewSigningKey): Promise<SigningKey>;
  /**
   * Adds `input` only if no active key of its algorithm exists, as one database decision, so
   * instances starting together on one database create one first key per algorithm.
   * `undefined` when another key was there first.
   */
  addFirst(input: NewSigningKey): Promise<SigningKey | undefined>;
  findByKid(kid: string): Promise<SigningKey | undefined>;
  /** Keys that sign (`is_active`), newest first. */
  listActive(): Promise<SigningKey[]>;
  /** Every key, newest first. */
  list(): Promise<SigningKey[]>;
  /** Stops signing with the key; it stays publishable until `publishUntil`. `false` if unknown. */
  retire(kid: string, publishUntil: Date): Promise<boolean>;
  /** Removes retired keys whose `publishUntil` passed before `now`; returns how many. */
  deleteExpired(now: Date): Promise<number>;
}
