import type { AuthorizationCode, NewAuthorizationCode } from '../domain/authorization-code.js';

/** Single-use authorization codes. Never cached. */
export interface AuthorizationCodeRepository {
  /** Throws `ConflictError` on a duplicate code digest. */
  save(input: NewAuthorizationCode): Promise<AuthorizationCode>;
  /** The ids of the codes issued under a consent: each names the token family its tokens joined. */
  idsByConsent(consentId: string): Promise<string[]>;
  /** By digest, used or not (for reuse detection, RFC 6749 §4.1.2). */
  findByCode(codeHash: string): Promise<AuthorizationCode | undefined>;
  /**
   * Marks the code used in one statement and returns it only if *this call* won:
   * unused and unexpired at `now`. Concurrent callers get exactly one winner.
   */
  consume(codeHash: string, now: Date): Promise<AuthorizationCode | undefined>;
  /**
   * Removes the user's codes not yet exchanged, so a code issued before the user's sessions
   * ended (logout, password change, deactivation) cannot be turned into tokens afterwards.
   * Used codes stay for reuse detection. Returns how many.
   */
  deleteUnusedByUser(userId: string): Promise<number>;
  /** Removes codes that expired before `now`, at most `limit` of them when given; returns how many. */
  deleteExpired(now: Date, limit?: number): Promise<number>;
}
