/** A logout notice waiting in the outbox (OIDC Back-Channel Logout 1.0 §2.5). */
export interface LogoutNotice {
  id: string;
  /** `oauth_clients.id`. */
  clientId: string;
  issuer: string;
  sub: string;
  sid: string;
  attempts: number;
  nextAttemptAt: Date;
  lastError: string | null;
}

/**
 * Who must be told about a logout, and the durable outbox of notices. Sessions are recorded when
 * an ID token carrying `sid` goes to a client that registered a `backchannel_logout_uri`.
 */
export interface BackchannelLogoutRepository {
  /** Remembers that `clientId` holds an ID token of session `sid` (idempotent). */
  recordSession(input: { sid: string; clientId: string; userId: string; issuer: string }, now: Date): Promise<void>;
  /**
   * Moves every recorded session of the user into the outbox, one notice per session and client,
   * due at `now`, and forgets the sessions. Returns how many notices were queued.
   */
  enqueueForUser(userId: string, now: Date): Promise<number>;
  /**
   * Claims up to `limit` notices due at `now` by moving their next attempt to `leaseUntil` (a
   * compare-and-set per notice, so of several instances only one delivers each). A claim whose
   * holder died becomes due again when the lease ends.
   */
  claimDue(now: Date, leaseUntil: Date, limit: number): Promise<LogoutNotice[]>;
  /** Removes a delivered (or abandoned) notice. */
  remove(id: string): Promise<void>;
  /** Records a failed attempt and when to try again. */
  retryLater(id: string, attempts: number, nextAttemptAt: Date, error: string): Promise<void>;
  /** Every notice still in the outbox, oldest first (operations and tests). */
  pending(): Promise<LogoutNotice[]>;
}
