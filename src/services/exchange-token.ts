import { UnsupportedGrantType } from '../protocol/errors.js';
import { exchangeAuthorizationCode } from './grants/authorization-code.js';
import { clientCredentialsGrant } from './grants/client-credentials.js';
import { passwordGrant } from './grants/password.js';
import { refreshTokens } from './grants/refresh-token.js';
import type { GrantDeps, TokenRequest, TokenResponse } from './token-request.js';

/** The grant types the token endpoint serves (spec §3.3.3, D13). */
export const SUPPORTED_GRANT_TYPES = ['authorization_code', 'refresh_token', 'client_credentials', 'password'] as const;

/** `POST /oauth/token`: dispatches on `grant_type` (RFC 6749 §4, §6). */
export async function exchangeToken(request: TokenRequest, deps: GrantDeps): Promise<TokenResponse> {
  switch (request.grantType) {
    case 'authorization_code':
      return exchangeAuthorizationCode(request, deps);
    case 'refresh_token':
      return refreshTokens(request, deps, { echoScope: true });
    case 'client_credentials':
      return clientCredentialsGrant(request, deps);
    case 'password':
      return passwordGrant(request, deps);
    default:
      throw new UnsupportedGrantType(`The authorization grant type '${request.grantType ?? ''}' is not supported`);
  }
}
