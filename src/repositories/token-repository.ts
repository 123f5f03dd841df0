import type { NewToken, SessionListQuery, TokenRecord, TokenType } from '../domain/token.js';

/** Issued access and refresh tokens (spec §7.3). Never cached: revocation is decided here. */
export interface TokenRepository {
  /** Records a token; throws `ConflictError` on a duplicate `jti`. */
  save(input: NewToken): Promise<TokenRecord>;
  findByJti(jti: string): Promise<TokenRecord | undefined>;
  /** By row id (the admin API's `session_id`). */
  findById(id: string): Promise<TokenRecord | undefined>;
  /**
   * Invalidates one token in a single statement. Returns `true` only for the call that
   * flipped it, so refresh rotation can detect reuse under concurrency (RFC 9700 §4.14.2).
   */
  invalidate(jti: string, at: Date): Promise<boolean>;
  /** Invalidates every valid token of the user (optionally of one type); returns how many. */
  invalidateByUser(userId: string, at: Date, tokenType?: TokenType): Promise<number>;
  /** Invalidates every valid token issued to the client (`oauth_clients.id`); returns how many. */
  invalidateByClient(clientId: string, at: Date): Promise<number>;
  /**
   * Invalidates every valid token of one grant (RFC 6749 §4.1.2: a reused code revokes what it
   * issued; RFC 9700 §4.14.2: a replayed refresh token revokes its family). Returns how many.
   */
  invalidateByGrant(grantId: string, at: Date): Promise<number>;
  /** A user's access tokens (their "sessions"; refresh tokens too on request), newest first. */
  listSessions(userId: string, query: SessionListQuery): Promise<TokenRecord[]>;
  /** How many rows `listSessions` would return without `limit`/`offset`. */
  countSessions(userId: string, query: Omit<SessionListQuery, 'limit' | 'offset'>): Promise<number>;
  /**
   * Removes tokens that expired before `now`, at most `limit` of them when given (a batch: one
   * short statement, so a large backlog never holds locks for long); returns how many.
   */
  deleteExpired(now: Date, limit?: number): Promise<number>;
}
