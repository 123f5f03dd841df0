/** Access and refresh tokens are both recorded. */
export type TokenType = 'access' | 'refresh';

/** An issued token; an unexpired, non-invalidated access token is an admin "session". */
export interface TokenRecord {
  id: string;
  /** `null` for client_credentials tokens, which act for the client itself (RFC 6749 §4.4). */
  userId: string | null;
  /** `oauth_clients.id` (UUID) of the client the token was issued to, when known. */
  clientId: string | null;
  jti: string;
  tokenType: TokenType;
  /** Digest of the token, never the token itself. */
  tokenValue: string;
  scope: string | null;
  invalidated: boolean;
  invalidatedAt: Date | null;
  expiresAt: Date;
  createdAt: Date;
  createdByIp: string | null;
  userAgent: string | null;
  /**
   * The grant (token family) this token came from: every token issued from one authorization
   * code, one login or one refresh chain shares it, so the family can be revoked at once.
   */
  grantId: string | null;
  /** The remembered consent (`oauth_consents.id`) the token's grant rests on, if any. */
  consentId: string | null;
}

/** What a caller supplies to record a token. */
export type NewToken = Pick<TokenRecord, 'userId' | 'jti' | 'tokenType' | 'tokenValue' | 'expiresAt'> &
  Partial<Pick<TokenRecord, 'id' | 'clientId' | 'scope' | 'createdByIp' | 'userAgent' | 'grantId' | 'consentId'>>;

/** Session listing options. */
export interface SessionListQuery {
  /** Only tokens that are neither invalidated nor expired at `now`. */
  activeOnly?: boolean;
  /** Refresh tokens count as sessions too (the admin API lists both types). */
  includeRefresh?: boolean;
  now: Date;
  limit: number;
  offset: number;
}
