import type { NewToken, SessionListQuery, TokenRecord, TokenType } from '../domain/token.js';

/** Issued access and refresh tokens. Never cached: revocation is decided here. */
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
  /** Invalidates every valid token of the user issued to one client (`oauth_clients.id`); returns how many. */
  invalidateByUserAndClient(userId: string, clientId: string, at: Date): Promise<number>;
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
   * Revokes a token family for good (RFC 9700 §4.14.2; RFC 6749 §4.1.2 for a reused code): first
   * records a durable marker for `grantId`, committed on its own, then invalidates every valid
   * token of the family. Idempotent; returns how many tokens this call invalidated. Together with
   * {@link addToFamily} this makes rotation and family revocation one decision: a token added
   * concurrently is either seen by the invalidation or sees the marker.
   */
  revokeFamily(grantId: string, at: Date): Promise<number>;
  /**
   * Records freshly minted tokens of one family, unless the family is revoked: the tokens are
   * inserted (and committed) first, then the marker is read; when it is there, the family's
   * tokens, these included, are invalidated and `false` is returned. Throws `ConflictError` on a
   * duplicate `jti`. Must not run inside a caller's transaction (the insert must be visible to a
   * concurrent {@link revokeFamily} before the marker is read).
   */
  addToFamily(grantId: string, tokens: readonly NewToken[], at: Date): Promise<boolean>;
  /**
   * Records the first tokens of a family whose id the caller has just generated: one insert and
   * no marker read, since nobody can have revoked a family whose id exists only in the caller
   * until these tokens are handed out. Throws `ConflictError` on a duplicate `jti`.
   */
  addNewFamily(grantId: string, tokens: readonly NewToken[]): Promise<void>;
  /** Whether {@link revokeFamily} has marked the family. */
  isFamilyRevoked(grantId: string): Promise<boolean>;
  /**
   * Removes tokens that expired before `now`, and the revocation markers (older than an hour, so
   * no rotation that raced the revocation is still running) of families with no token left.
   * At most `limit` tokens when given (a batch: one short statement, so a large backlog never
   * holds locks for long). Returns how many tokens it removed.
   */
  deleteExpired(now: Date, limit?: number): Promise<number>;
}
