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
  /** What discovery advertises beyond the core; all off when absent. */
  discovery?: DiscoveryFeatures;
}
