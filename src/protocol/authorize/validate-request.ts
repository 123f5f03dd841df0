import type { ResponseMode } from '../../domain/authorization-code.js';
import type { Client } from '../../domain/client.js';
import { InvalidRequest, InvalidScope, OAuthError, UnauthorizedClient, UnsupportedResponseType } from '../errors.js';
import { isWellFormedPkceValue } from '../pkce.js';
import { isRegisteredRedirectUri } from '../redirect.js';
import { isWellFormedScope, parseScope } from '../scope.js';
import type { AuthorizationParams, AuthorizationRequest } from './request.js';

const RESPONSE_MODES: readonly ResponseMode[] = ['query', 'fragment', 'form_post'];
const DISPLAYS = ['page', 'popup', 'touch', 'wap'];
const PROMPTS = ['none', 'login', 'consent', 'select_account'];

/** Where errors may be sent once client and redirect URI are trusted. */
export interface RedirectTarget {
  client: Client;
  redirectUri: string;
  state: string | undefined;
  responseMode: ResponseMode;
}

function present(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/**
 * RFC 6749 §4.1.2.1 / OAuth 2.1 §4.1.2.1: when the client is unknown or the redirect URI is not
 * registered, the server MUST NOT redirect; these errors are shown to the user (spec D7).
 */
export function validateRedirectTarget(params: AuthorizationParams, client: Client | undefined): RedirectTarget {
  const clientId = present(params.client_id);
  if (!clientId) throw new OAuthError('invalid_request', 'client_id is required', 400, false);
  if (!client) throw new OAuthError('invalid_client', 'Unknown or inactive client', 400, false);
  const redirectUri = present(params.redirect_uri);
  if (!redirectUri) throw new OAuthError('invalid_request', 'redirect_uri is required', 400, false);
  if (!isRegisteredRedirectUri(redirectUri, client.redirectUris)) {
    throw new OAuthError('invalid_request', 'redirect_uri is not registered for this client', 400, false);
  }
  const mode = present(params.response_mode);
  const responseMode = mode && (RESPONSE_MODES as readonly string[]).includes(mode) ? (mode as ResponseMode) : 'query';
  return { client, redirectUri, state: present(params.state), responseMode };
}

function optionalBounded(params: AuthorizationParams, name: string, max: number): string | undefined {
  const value = present(params[name]);
  if (value !== undefined && value.length > max) throw new InvalidRequest(`${name} is too long (at most ${max} characters)`);
  return value;
}

function optionalEnum(params: AuthorizationParams, name: string, allowed: readonly string[]): string | undefined {
  const value = present(params[name]);
  if (value !== undefined && !allowed.includes(value)) throw new InvalidRequest(`${name} must be one of ${allowed.join(', ')}`);
  return value;
}

function parseMaxAge(raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  // OIDC Core §3.1.2.1: max_age is a non-negative integer number of seconds.
  if (!/^\d{1,9}$/.test(raw)) throw new InvalidRequest('max_age must be a non-negative integer');
  return Number(raw);
}

/**
 * Validates everything after the redirect target (spec §3.3.1 steps 1–6, D6): each failure is an
 * OAuthError the caller redirects to the client. `activeScopes` are the requested names that exist
 * and are active; `defaultScopes` are granted when the request names none.
 */
export function validateAuthorizationRequest(
  params: AuthorizationParams,
  target: RedirectTarget,
  activeScopes: readonly string[],
  defaultScopes: readonly string[],
): AuthorizationRequest {
  const responseType = present(params.response_type);
  if (!responseType) throw new InvalidRequest('response_type is required');
  if (responseType !== 'code') throw new UnsupportedResponseType("Only 'code' response type is supported");
  if (!target.client.responseTypes.includes('code') || !target.client.grantTypes.includes('authorization_code')) {
    throw new UnauthorizedClient('The client is not allowed to use the authorization code flow');
  }
  const codeChallenge = present(params.code_challenge);
  if (!codeChallenge) throw new InvalidRequest('code_challenge is required (PKCE)');
  // OAuth 2.1 §4.1.1 / spec §8.4: only S256; `plain` offers no protection against code interception.
  const method = present(params.code_challenge_method) ?? 'S256';
  if (method !== 'S256') throw new InvalidRequest('code_challenge_method must be S256');
  if (!isWellFormedPkceValue(codeChallenge)) throw new InvalidRequest('code_challenge must be 43-128 characters of [A-Za-z0-9-._~]');
  const mode = present(params.response_mode);
  if (mode !== undefined && !(RESPONSE_MODES as readonly string[]).includes(mode)) {
    throw new InvalidRequest('response_mode must be query, fragment or form_post');
  }

  const requested = parseScope(params.scope);
  if (!isWellFormedScope(requested)) throw new InvalidScope('scope contains invalid characters');
  const known = new Set(activeScopes);
  // Spec §3.3.1 step 6: unknown names are dropped as long as one requested name is known.
  const scopes = requested.length === 0 ? [...defaultScopes] : requested.filter((s) => known.has(s));
  if (requested.length > 0 && scopes.length === 0) throw new InvalidScope('None of the requested scopes is valid');

  return {
    clientId: target.client.clientId,
    redirectUri: target.redirectUri,
    responseType: 'code',
    scopes,
    state: optionalBounded(params, 'state', 255),
    codeChallenge,
    codeChallengeMethod: 'S256',
    nonce: optionalBounded(params, 'nonce', 255),
    responseMode: target.responseMode,
    display: optionalEnum(params, 'display', DISPLAYS),
    prompt: optionalEnum(params, 'prompt', PROMPTS),
    maxAge: parseMaxAge(present(params.max_age)),
    uiLocales: optionalBounded(params, 'ui_locales', 255),
    idTokenHint: optionalBounded(params, 'id_token_hint', 2048),
    loginHint: optionalBounded(params, 'login_hint', 255),
    acrValues: optionalBounded(params, 'acr_values', 255),
  };
}
