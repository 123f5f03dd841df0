/** A pushed authorization request (RFC 9126 §2): its parameters, waiting for the authorization endpoint. */
export interface PushedRequest {
  /** Digest of the `request_uri` handed to the client, never the value itself. */
  requestUriHash: string;
  /** `oauth_clients.id` of the client that pushed it (RFC 9126 §2.2: bound to that client). */
  clientId: string;
  parameters: Record<string, string>;
  expiresAt: Date;
  createdAt: Date;
}

/** Pushed authorization requests; `take` is the single use. */
export interface PushedRequestRepository {
  save(request: PushedRequest): Promise<void>;
  /**
   * Removes and returns the request in one statement, so of two concurrent uses exactly one gets
   * it (RFC 9126 §4: a `request_uri` is for one use). Only the client that pushed it can take
   * it, so another client's attempt leaves it usable. Expired requests are returned too; the
   * caller refuses them.
   */
  take(requestUriHash: string, clientId: string): Promise<PushedRequest | undefined>;
  /** Deletes up to `limit` requests that expired before `now`; returns how many. */
  deleteExpired(now: Date, limit: number): Promise<number>;
}
