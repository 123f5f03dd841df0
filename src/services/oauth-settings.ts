import type { DiscoveryFeatures } from '../protocol/discovery.js';

/** Lifetimes and names the OAuth services work with, taken from configuration once. */
export interface OAuthSettings {
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  authorizationCodeTtlSeconds: number;
  /** `aud` of access tokens; `null` uses the issuer (RFC 9068 §3). */
  audience: string | null;
  /** `tokens.introspection_requires_client_auth` (RFC 7662 §2.1). */
  introspectionRequiresClientAuth: boolean;
  /** `oauth.pushed_request_expire_seconds` (RFC 9126 §2.2 `expires_in`); default 60. */
  pushedRequestTtlSeconds?: number;
  /** `oauth.require_pushed_authorization_requests` (RFC 9126 §5). */
  requirePushedAuthorizationRequests?: boolean;
  /** What discovery advertises beyond the core; all off when absent. */
  discovery?: DiscoveryFeatures;
}
