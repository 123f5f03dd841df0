import type { ResponseMode } from '../../domain/authorization-code.js';
import type { Client } from '../../domain/client.js';
import { InvalidRequest, InvalidScope, OAuthError, UnauthorizedClient, UnsupportedResponseType } from '../errors.js';
import { isWellFormedPkceValue } from '../pkce.js';
import { isRegisteredRedirectUri } from '../redirect.js';
import { isSafeRedirectTarget, isWebRedirectTarget } from '../redirect-uri.js';
import { parseRequestedScope } from '../scope.js';
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
 * registered, the server MUST NOT redirect; these errors are shown to the user.
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
  // A row stored before the registration rules (or imported) may hold `javascript:` or the like:
  // redirecting to it, or posting a form to it, would run script on this server's origin.
  if (!isSafeRedirectTarget(redirectUri)) {
    throw new OAuthError('invalid_request', 'The registered redirect_uri is not a safe redirect target', 400, false);
  }
  const mode = present(params.response_mode);
  const responseMode = mode && (RESPONSE_MODES as readonly string[]).includes(mode) ? (mode as ResponseMode) : 'query';
  // Form Post Response Mode §2 posts an HTML form to the client: only an http(s) page can take it.
  if (responseMode === 'form_post' && !isWebRedirectTarget(redirectUri)) {
    throw new OAuthError('invalid_request', 'response_mode=form_post needs an http or https redirect_uri', 400, false);
  }
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

/** RFC 9449 §10: `dpop_jkt` is a base64url SHA-256 JWK thumbprint (RFC 7638). */
function parseJkt(raw: string | undefined): string | undefined {
  if (raw !== undefined && !/^[A-Za-z0-9_-]{43}$/.test(raw)) throw new InvalidRequest('dpop_jkt must be a base64url SHA-256 JWK thumbprint');
  return raw;
}

function parseMaxAge(raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  // OIDC Core §3.1.2.1: max_age is a non-negative integer number of seconds.
  if (!/^\d{1,9}$/.test(raw)) throw new InvalidRequest('max_age must be a non-negative integer');
  return Number(raw);
}

/**
 * Validates everything after the redirect target, on GET and POST alike: each failure is an
 * OAuthError the caller redirects to the client. `grantableScopes` are the requested names the
 * client may be granted (active and registered for it); `defaultScopes` are granted when the
 * request names none. Any other requested name is `invalid_scope` (RFC 6749 §4.1.2.1).
 */
export function validateAuthorizationRequest(
  params: AuthorizationParams,
  target: RedirectTarget,
  grantableScopes: readonly string[],
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
  // OAuth 2.1 §4.1.1: only S256; `plain` offers no protection against code interception.
  const method = present(params.code_challenge_method) ?? 'S256';
  if (method !== 'S256') throw new InvalidRequest('code_challenge_method must be S256');
  if (!isWellFormedPkceValue(codeChallenge)) throw new InvalidRequest('code_challenge must be 43-128 characters of [A-Za-z0-9-._~]');
  const mode = present(params.response_mode);
  if (mode !== undefined && !(RESPONSE_MODES as readonly string[]).includes(mode)) {
    throw new InvalidRequest('response_mode must be query, fragment or form_post');
  }

  const requested = parseRequestedScope(params.scope);
  const grantable = new Set(grantableScopes);
  // A client gets at most the scopes it is registered for; a name it may not have is refused
  // rather than dropped, so the client learns at once what it may not ask for.
  const refused = requested.filter((s) => !grantable.has(s));
  if (refused.length > 0) throw new InvalidScope(`Scope not allowed for this client: ${refused.join(' ')}`);
  const scopes = requested.length === 0 ? [...defaultScopes] : requested;

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
    dpopJkt: parseJkt(present(params.dpop_jkt)),
  };
}
