/** OIDC Core §3.1.2.1 response modes Authly accepts. */
export type ResponseMode = 'query' | 'fragment' | 'form_post';

/** A single-use authorization code; `code` holds its digest. */
export interface AuthorizationCode {
  id: string;
  /** Digest of the code handed to the client, never the code itself. */
  code: string;
  /** `oauth_clients.id` (UUID). */
  clientId: string;
  userId: string;
  redirectUri: string;
  scope: string | null;
  expiresAt: Date;
  createdAt: Date;
  usedAt: Date | null;
  isUsed: boolean;
  codeChallenge: string;
  codeChallengeMethod: 'S256';
  nonce: string | null;
  state: string | null;
  responseMode: ResponseMode | null;
  display: string | null;
  prompt: string | null;
  maxAge: number | null;
  uiLocales: string | null;
  idTokenHint: string | null;
  loginHint: string | null;
  acrValues: string | null;
  /** When the user authenticated (OIDC Core §2 `auth_time`); `null` on rows written by Authly. */
  authTime: Date | null;
  /** The remembered consent (`oauth_consents.id`) the code was issued under; `null` for Authly's API-style codes. */
  consentId: string | null;
  /** RFC 9449 §10: the JWK SHA-256 thumbprint the code is bound to; the token request's DPoP key must match. */
  dpopJkt: string | null;
  /** The browser session the code was issued in (the ID token's `sid`); `null` without one. */
  sid: string | null;
}

/** What a caller supplies to save a code. */
export type NewAuthorizationCode = Pick<
  AuthorizationCode,
  'code' | 'clientId' | 'userId' | 'redirectUri' | 'expiresAt' | 'codeChallenge'
> &
  Partial<Omit<AuthorizationCode, 'code' | 'clientId' | 'userId' | 'redirectUri' | 'expiresAt' | 'codeChallenge' | 'createdAt' | 'usedAt' | 'isUsed'>>;
