/**
 * A user's remembered consent for a client (OIDC Core §3.1.2.4): the scopes they agreed to. At
 * most one live consent per user and client; revoking it revokes every code and token issued
 * under it.
 */
export interface Consent {
  id: string;
  userId: string;
  /** `oauth_clients.id` (UUID). */
  clientId: string;
  scopes: string[];
  createdAt: Date;
  revokedAt: Date | null;
}

/** A live consent with the client's public identifier and name, as the grant listings show it. */
export interface ConsentListing extends Consent {
  /** The client's `client_id` string. */
  clientIdentifier: string;
  clientName: string;
}
