import type { PasswordHasher } from '../crypto/password-hasher.js';
import type { ClientSecrets } from '../crypto/client-secret.js';
import type { Repositories } from '../repositories/repositories.js';
import type { Clock, Logger } from '../repositories/ports.js';
import type { Client } from '../domain/client.js';
import type { User } from '../domain/user.js';
import type { PresentedClientCredentials } from './authenticate-client.js';
import type { ClientAuthThrottle } from './client-auth-throttle.js';
import type { TokenIssuer, TokenSigners } from './token-issuer.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { DpopVerifier } from './dpop/dpop-verifier.js';
import type { ClientAssertionDeps } from './client-assertion.js';

/** The token endpoint's parameters (RFC 6749 §4.1.3, §4.3.2, §4.4.2, §6), as strings. */
export interface TokenRequest {
  grantType: string | undefined;
  code?: string;
  redirectUri?: string;
  codeVerifier?: string;
  refreshToken?: string;
  scope?: string;
  username?: string;
  password?: string;
  /** RFC 8628 §3.4 `device_code`. */
  deviceCode?: string;
  credentials: PresentedClientCredentials;
  /** The issuer for this request (configured, or derived from the request). */
  issuer: string;
  /** The `DPoP` header and what its proof must name (RFC 9449 §5). */
  dpop?: { proof: string | string[] | undefined; method: string; url: string };
  /** The verified DPoP key of this request, set by the token endpoint before the grant runs. */
  dpopJkt?: string;
}

/** RFC 6749 §5.1 success body; optional members are omitted rather than `null` (RFC clients reject nulls). */
export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer' | 'DPoP';
  expires_in: number;
  refresh_token?: string;
  scope?: string;
  id_token?: string;
  /** Authly's flag: present and true when the user must change the password. */
  requires_password_change?: true;
}

/** Mints an OIDC ID token (OIDC Core §3.1.3.3); supplied by the OIDC layer. */
export interface IdTokenMinter {
  mint(input: {
    issuer: string;
    user: User;
    client: Client;
    scopes: readonly string[];
    nonce: string | null;
    authTime: Date | null;
    accessToken: string;
    /** The browser session the login happened in (Back-Channel Logout 1.0 §2.4); absent without one. */
    sid?: string | null;
  }): Promise<string>;
}

/** What every grant handler needs. */
export interface GrantDeps {
  repos: Repositories;
  clock: Clock;
  logger: Logger;
  issuer: TokenIssuer;
  signers: TokenSigners;
  passwords: PasswordHasher;
  secrets: ClientSecrets;
  /** Limits failed client authentications; absent where nothing is throttled. */
  clientAuthThrottle?: ClientAuthThrottle;
  idTokens?: IdTokenMinter;
  /** Security events (token issued, reuse detected); absent in unit tests of a grant. */
  audit?: AuditLog;
  /** Verifies DPoP proofs; absent where nothing binds tokens (unit tests). */
  dpop?: DpopVerifier;
  /** Verifies `private_key_jwt` client assertions. */
  assertions?: ClientAssertionDeps;
}
