import type { NewSigningKey, SigningKey } from '../domain/signing-key.js';

/** Signing keys (spec §7.8), shared by every instance. */
export interface SigningKeyRepository {
  /** Throws `ConflictError` on a duplicate `kid`. */
  add(input: NewSigningKey): Promise<SigningKey>;
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
