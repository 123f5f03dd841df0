/** Dynamic client registration credentials (RFC 7591 §3, RFC 7592 §3), stored as digests only. */
export interface RegistrationRepository {
  /** Stores an initial access token's digest, good for `uses` registrations until `expiresAt`. */
  saveInitialAccessToken(tokenHash: string, uses: number, expiresAt: Date): Promise<void>;
  /** Spends one use of an unexpired initial access token in one statement; true when this call did. */
  useInitialAccessToken(tokenHash: string, now: Date): Promise<boolean>;
  /** Sets (or replaces) the registration access token digest of a client (`oauth_clients.id`). */
  setRegistrationToken(clientId: string, tokenHash: string): Promise<void>;
  /** The registration access token digest of a client, if it was registered dynamically. */
  findRegistrationToken(clientId: string): Promise<string | undefined>;
  deleteRegistrationToken(clientId: string): Promise<void>;
}
