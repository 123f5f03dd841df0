import type { ResponseMode } from '../../domain/authorization-code.js';

/** A validated authorization request (RFC 6749 §4.1.1, RFC 7636 §4.3, OIDC Core §3.1.2.1). */
export interface AuthorizationRequest {
  /** The string `client_id`. */
  clientId: string;
  redirectUri: string;
  responseType: 'code';
  /** Granted scope names: the requested ones that are active, or the defaults when none was asked. */
  scopes: string[];
  state: string | undefined;
  codeChallenge: string;
  codeChallengeMethod: 'S256';
  nonce: string | undefined;
  responseMode: ResponseMode;
  display: string | undefined;
  prompt: string | undefined;
  maxAge: number | undefined;
  uiLocales: string | undefined;
  idTokenHint: string | undefined;
  loginHint: string | undefined;
  acrValues: string | undefined;
  /** RFC 9449 §10: the DPoP key thumbprint the code is to be bound to. */
  dpopJkt: string | undefined;
}

/** The raw request parameters, as strings from a query or a form. */
export type AuthorizationParams = Partial<Record<string, string>>;

/** The parameters this server understands and carries through the login page. */
export const AUTHORIZATION_PARAMETERS = [
  'response_type',
  'client_id',
  'redirect_uri',
  'scope',
  'state',
  'code_challenge',
  'code_challenge_method',
  'nonce',
  'response_mode',
  'display',
  'prompt',
  'max_age',
  'ui_locales',
  'id_token_hint',
  'login_hint',
  'acr_values',
  'dpop_jkt',
] as const;
