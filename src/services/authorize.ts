import type { AuditLog } from '../audit/audit-log.js';
import type { Client } from '../domain/client.js';
import type { User } from '../domain/user.js';
import { credentialDigest } from '../crypto/digest.js';
import type { PasswordHasher } from '../crypto/password-hasher.js';
import type { RandomSource } from '../crypto/random.js';
import type { Repositories } from '../repositories/repositories.js';
import type { Clock } from '../repositories/ports.js';
import { AccessDenied, ConsentRequired, InvalidRequest, InvalidScope, LoginRequired, OAuthError } from '../protocol/errors.js';
import type { AuthorizationParams, AuthorizationRequest } from '../protocol/authorize/request.js';
import { validateAuthorizationRequest, validateRedirectTarget, type RedirectTarget } from '../protocol/authorize/validate-request.js';
import { buildAuthorizationResponse, type AuthorizationResponse } from '../protocol/redirect.js';
import { isSubsetOf, parseRequestedScope } from '../protocol/scope.js';
import { authorizableScopeFilter } from './client-scopes.js';
import { rememberConsent } from './consents.js';
import { verifyUserPassword } from './verify-user-password.js';

/** Dependencies of the authorization endpoint. */
export interface AuthorizeDeps {
  repos: Repositories;
  clock: Clock;
  random: RandomSource;
  passwords: PasswordHasher;
  codeTtlSeconds: number;
  /** Where login events go. */
  audit?: AuditLog;
}

/** What the login and consent page shows. */
export interface ConsentView {
  request: AuthorizationRequest;
  client: Client;
  /** Scope names with their descriptions, in request order. */
  scopes: { name: string; description: string | null }[];
}

/** An error that must be shown to the user, never redirected (RFC 6749 §4.1.2.1). */
export class AuthorizationPageError extends Error {
  override readonly name = 'AuthorizationPageError';
  readonly oauth: OAuthError;

  constructor(oauth: OAuthError) {
    super(oauth.message, { cause: oauth });
    this.oauth = oauth;
  }
}

/** A validated request's error on its way back to the client (RFC 6749 §4.1.2.1, RFC 9207). */
export function errorResponse(target: RedirectTarget, error: OAuthError, issuer: string): AuthorizationResponse {
  return buildAuthorizationResponse(
    target.redirectUri,
    { error: error.error, error_description: error.description, state: target.state, iss: issuer },
    target.responseMode,
  );
}

/**
 * Validates an authorization request in the order the RFC requires: client and redirect URI
 * first (failures thrown as `AuthorizationPageError`), then everything else (failures returned
 * as a redirect to the client).
 */
export async function validateAuthorization(
  params: AuthorizationParams,
  deps: Pick<AuthorizeDeps, 'repos'>,
  par: { pushed: boolean; requiredEverywhere: boolean } = { pushed: false, requiredEverywhere: false },
): Promise<{ target: RedirectTarget; result: { ok: true; request: AuthorizationRequest } | { ok: false; error: OAuthError } }> {
  const client = params.client_id ? await deps.repos.clients.findByClientId(params.client_id) : undefined;
  let target: RedirectTarget;
  try {
    target = validateRedirectTarget(params, client);
  } catch (err) {
    if (err instanceof OAuthError) throw new AuthorizationPageError(err);
    throw err;
  }
  // RFC 9126 §5, §6: the server or the client may demand that every request be pushed first.
  if (!par.pushed && (par.requiredEverywhere || target.client.requirePushedAuthorizationRequests)) {
    return { target, result: { ok: false, error: new InvalidRequest('Pushed authorization requests are required: push the request to the PAR endpoint first') } };
  }
  try {
    // Bounded before the names become an `IN (…)` list.
    const requested = parseRequestedScope(params.scope);
    const mayGrant = await authorizableScopeFilter(target.client, deps.repos);
    const grantable = (await deps.repos.scopes.findActiveByNames(requested)).map((s) => s.scopeName).filter(mayGrant);
    const defaults = requested.length === 0 ? (await deps.repos.scopes.findDefaults()).map((s) => s.scopeName).filter(mayGrant) : [];
    const request = validateAuthorizationRequest(params, target, grantable, defaults);
    return { target, result: { ok: true, request } };
  } catch (err) {
    if (err instanceof OAuthError && err.redirectable) return { target, result: { ok: false, error: err } };
    throw err;
  }
}

/** The page model for a valid request. */
export async function consentView(request: AuthorizationRequest, client: Client, deps: Pick<AuthorizeDeps, 'repos'>): Promise<ConsentView> {
  const scopes = await deps.repos.scopes.findActiveByNames(request.scopes);
  const byName = new Map(scopes.map((s) => [s.scopeName, s.description]));
  return { request, client, scopes: request.scopes.map((name) => ({ name, description: byName.get(name) ?? null })) };
}

/** The access token behind Authly's API-style authorization (a bearer token, not the form login). */
export interface BearerGrant {
  /** `oauth_clients.id` the token was issued to; `null` for a password grant without a client. */
  clientId: string | null;
  scopes: readonly string[];
}

/** How the resource owner answered the consent page. */
export type ConsentDecision =
  | { approved: false }
  | { approved: true; user: User; authTime: Date; bearer?: BearerGrant; consentId?: string; sid?: string }
  | { approved: true; credentials: { username: string; password: string } };

/**
 * A bearer-authenticated authorization trades one token for a code, so, like a refresh (RFC 6749
 * §6), it may only narrow: the code's scopes must be among the token's, and the token must have
 * been issued to this client. A token issued to no client (Authly's password grant) may
 * authorize any client, but still only narrow. A wider scope is `invalid_scope`, another client
 * `access_denied`; both go back to the (already validated) redirect URI.
 */
export function bearerNarrowingError(bearer: BearerGrant, request: AuthorizationRequest, target: RedirectTarget): OAuthError | undefined {
  if (bearer.clientId !== null && bearer.clientId !== target.client.id) {
    return new AccessDenied('The access token was issued to another client');
  }
  if (!isSubsetOf(request.scopes, bearer.scopes)) {
    return new InvalidScope('The requested scope exceeds the scope of the access token');
  }
  return undefined;
}

/**
 * What a login form's CSRF token is bound to: the request's client, redirect URI and PKCE
 * challenge, and who was signed in when the page was shown. A token taken from one form does not
 * pass for another request, nor for another user's session.
 */
export function csrfBinding(request: AuthorizationRequest, signedInUserId: string | undefined): string {
  return JSON.stringify([request.clientId, request.redirectUri, request.codeChallenge, signedInUserId ?? '']);
}

/** What the user must do: log in (with consent), or only consent (a live session suffices). */
export type Interaction = 'login' | 'consent';

/**
 * OIDC Core §3.1.2.1: `prompt=login` forces a fresh login; `max_age` forces one when the last
 * login is older; otherwise a live browser session only needs consent.
 */
export function decideInteraction(request: AuthorizationRequest, sessionAuthTime: Date | undefined, now: Date): Interaction {
  if (!sessionAuthTime || request.prompt === 'login') return 'login';
  if (request.maxAge !== undefined && now.getTime() - sessionAuthTime.getTime() > request.maxAge * 1000) return 'login';
  return 'consent';
}

/**
 * OIDC Core §3.1.2.6: with `prompt=none` the server must not show a page. Without a usable
 * session that is `login_required`; with one but no remembered consent covering the request it
 * is `consent_required`.
 */
export function promptNoneError(interaction: Interaction): OAuthError {
  return interaction === 'login' ? new LoginRequired() : new ConsentRequired();
}

/** A completed authorization: where to send the browser, and who logged in when. */
export interface CompletedAuthorization {
  response: AuthorizationResponse;
  /** Set when the user authenticated (or re-used a session): the browser session to remember. */
  login?: { user: User; authTime: Date; fresh: boolean; sid: string | null };
}

/**
 * Completes a validated request: a denial goes back as `access_denied`; an approval by an
 * authenticated user yields a single-use code (RFC 6749 §4.1.2) stored as a digest.
 */
export async function completeAuthorization(
  request: AuthorizationRequest,
  target: RedirectTarget,
  decision: ConsentDecision,
  issuer: string,
  deps: AuthorizeDeps,
): Promise<CompletedAuthorization> {
  if (!decision.approved) return { response: errorResponse(target, new AccessDenied(), issuer) };
  const refusal = 'bearer' in decision && decision.bearer ? bearerNarrowingError(decision.bearer, request, target) : undefined;
  if (refusal) return { response: errorResponse(target, refusal, issuer) };
  const now = deps.clock.now();
  const fresh = !('user' in decision);
  const user = 'user' in decision ? decision.user : await verifyUserPassword(decision.credentials.username, decision.credentials.password, deps, { method: 'login_form', clientId: target.client.clientId });
  const authTime = 'authTime' in decision ? decision.authTime : now;
  // OIDC Core §3.1.2.4: what the user approved on the page is remembered for this client. A
  // bearer-token authorization (Authly's API style) shows no page, so it records no consent.
  const bearer = 'bearer' in decision && decision.bearer !== undefined;
  const consentId = bearer
    ? null
    : (('consentId' in decision ? decision.consentId : undefined) ?? (await rememberConsent(deps.repos, user.id, target.client.id, request.scopes, now)).id);
  // The browser session the login lives in: the live one, or the one a fresh login starts. Its
  // id goes into the ID token (`sid`, Back-Channel Logout 1.0 §2.4); a bearer-token approval has none.
  const sid = 'user' in decision ? (decision.sid ?? null) : deps.random.token(16);
  const code = deps.random.token(32);
  await deps.repos.authorizationCodes.save({
    code: credentialDigest(code),
    clientId: target.client.id,
    userId: user.id,
    redirectUri: request.redirectUri,
    scope: request.scopes.join(' ') || null,
    expiresAt: new Date(now.getTime() + deps.codeTtlSeconds * 1000),
    codeChallenge: request.codeChallenge,
    codeChallengeMethod: 'S256',
    nonce: request.nonce ?? null,
    state: request.state ?? null,
    responseMode: request.responseMode,
    display: request.display ?? null,
    prompt: request.prompt ?? null,
    maxAge: request.maxAge ?? null,
    uiLocales: request.uiLocales ?? null,
    idTokenHint: request.idTokenHint ?? null,
    loginHint: request.loginHint ?? null,
    acrValues: request.acrValues ?? null,
    authTime,
    consentId,
    dpopJkt: request.dpopJkt ?? null,
    sid,
  });
  if (fresh) await deps.repos.users.recordLogin(user.id, now);
  // RFC 9207 §2: `iss` tells the client which server answered (mix-up defence).
  const response = buildAuthorizationResponse(request.redirectUri, { code, state: request.state, iss: issuer }, request.responseMode);
  return { response, login: { user, authTime, fresh, sid } };
}
