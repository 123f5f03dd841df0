import type { Consent, ConsentListing } from '../domain/consent.js';

/** Remembered consents (`oauth_consents`). Never cached: a revocation must count at once. */
export interface ConsentRepository {
  /** The user's live consent for the client, if any. */
  findLive(userId: string, clientId: string): Promise<Consent | undefined>;
  /**
   * Records that the user consented to `scopes` for the client: widens the live consent (its id
   * stays, so earlier tokens remain tied to it) or creates one. Concurrent calls end with one
   * live consent holding every scope.
   */
  remember(userId: string, clientId: string, scopes: readonly string[], now: Date): Promise<Consent>;
  /** The user's live consents with their clients, oldest first. */
  listLive(userId: string): Promise<ConsentListing[]>;
  /** Marks the user's live consent `id` revoked; `undefined` when the user has no such live consent. */
  revoke(userId: string, id: string, now: Date): Promise<Consent | undefined>;
}
