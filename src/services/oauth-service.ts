import type { ClientSecrets } from '../crypto/client-secret.js';
import type { CsrfTokens } from '../crypto/csrf.js';
import type { PasswordHasher } from '../crypto/password-hasher.js';
import type { RandomSource } from '../crypto/random.js';
import type { Repositories } from '../repositories/repositories.js';
import type { Clock, Logger } from '../repositories/ports.js';
import type { AuthorizationParams, AuthorizationRequest } from '../protocol/authorize/request.js';
import type { RedirectTarget } from '../protocol/authorize/validate-request.js';
import type { AuthorizationResponse } from '../protocol/redirect.js';
import { authorizationServerMetadata, DEFAULT_FEATURES, type AuthorizationServerMetadata, type ServerFeatures } from '../protocol/discovery.js';
import { authenticateBearer, type BearerPrincipal, type PresentedAccessToken } from './authenticate-bearer.js';
import {
  completeAuthorization,
  consentView,
  csrfBinding,
  errorResponse,
  validateAuthorization,
  type CompletedAuthorization,
  type ConsentDecision,
  type ConsentView,
} from './authorize.js';
import type { BrowserSession, BrowserSessions } from './browser-session.js';
import { coveringConsent } from './consents.js';
import type { Consent } from '../domain/consent.js';
import type { User } from '../domain/user.js';
import type { ClientAuthThrottle } from './client-auth-throttle.js';
import { accountProblem } from './account-standing.js';
import { exchangeToken, refreshWithJson } from './exchange-token.js';
import { introspectToken, type IntrospectionResponse } from './introspect-token.js';
import type { OAuthSettings } from './oauth-settings.js';
import type { REVOCATION_PROCESSED} from './revoke-token.js';
import { revokeToken } from './revoke-token.js';
import { TokenIssuer, type TokenSigners } from './token-issuer.js';
import type { GrantDeps, IdTokenMinter, TokenRequest, TokenResponse } from './token-request.js';
import type { PresentedClientCredentials } from './authenticate-client.js';
import type { OAuthError } from '../protocol/errors.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { ClientAssertionDeps } from './client-assertion.js';
import type { PushedRequestSeals } from '../crypto/pushed-request-seal.js';
import { pushAuthorizationRequest, resolvePushedRequest, sealPushedRequest, type PushedAuthorizationDeps, type PushInput, type PushResponse } from './pushed-authorization.js';
import type { DpopVerifier } from './dpop/dpop-verifier.js';

/** Everything the OAuth endpoints need, wired once by the composition root. */
export interface OAuthServiceDeps {
  repos: Repositories;
  clock: Clock;
  random: RandomSource;
  logger: Logger;
  signers: TokenSigners;
  passwords: PasswordHasher;
  secrets: ClientSecrets;
  settings: OAuthSettings;
  sessions: BrowserSessions;
  /** Signed double-submit tokens of the login and consent form. */
  csrf: CsrfTokens;
  idTokens?: IdTokenMinter;
  /** Limits failed client authentications at the token, revocation and introspection endpoints. */
  clientAuthThrottle?: ClientAuthThrottle;
  /** Where security events go. */
  audit?: AuditLog;
  /** Verifies `private_key_jwt` client assertions (RFC 7523). */
  assertions?: ClientAssertionDeps;
  /** Verifies DPoP proofs (RFC 9449). */
  dpop?: DpopVerifier;
  /** Seals the parameters of a resolved pushed request into the login form (RFC 9126). */
  seals: PushedRequestSeals;
}

/** Input of the revocation and introspection endpoints. */
export interface TokenInspectionInput {
  token: string;
  hint: string | undefined;
  credentials: PresentedClientCredentials;
}

/** The OAuth 2.1 endpoints as use cases; each HTTP route calls one method. */
export class OAuthService {
  readonly #deps: OAuthServiceDeps;
  readonly #grantDeps: GrantDeps;

  constructor(deps: OAuthServiceDeps) {
    this.#deps = deps;
    const issuer = new TokenIssuer({ repos: deps.repos, signers: deps.signers, clock: deps.clock, random: deps.random, settings: deps.settings, audit: deps.audit });
    this.#grantDeps = { ...deps, issuer };
  }

  /**
   * Validates an authorization request (GET or POST). `pushed` when its parameters came
   * from a pushed request (RFC 9126), which the server or the client may require.
   */
  validateAuthorization(params: AuthorizationParams, pushed = false) {
    return validateAuthorization(params, this.#deps, { pushed, requiredEverywhere: this.#deps.settings.requirePushedAuthorizationRequests ?? false });
  }

  /** `POST {P}/oauth/par` (RFC 9126 §2). */
  pushAuthorizationRequest(input: PushInput): Promise<PushResponse> {
    return pushAuthorizationRequest(input, this.#parDeps());
  }

  /** The parameters behind `client_id` + `request_uri` at the authorization endpoint, used up (RFC 9126 §4). */
  resolvePushedRequest(clientId: string | undefined, requestUri: string): Promise<Record<string, string>> {
    return resolvePushedRequest(clientId, requestUri, this.#deps);
  }

  /** The seal the login form carries for a resolved pushed request. */
  sealPushedRequest(params: Record<string, string>): string {
    return sealPushedRequest(params, this.#deps);
  }

  /** True when a form's parameters are, with their seal, those of a pushed request. */
  verifyPushedSeal(params: Record<string, string>, seal: string): boolean {
    return this.#deps.seals.verify(params, seal, this.#deps.clock.now());
  }

  /** A fresh `DPoP-Nonce` value when nonces are required (RFC 9449 §8). */
  dpopNonce(): string | undefined {
    return this.#deps.dpop?.nonce();
  }

  #parDeps(): PushedAuthorizationDeps {
    return { ...this.#deps, ttlSeconds: this.#deps.settings.pushedRequestTtlSeconds ?? 60 };
  }

  /** The login and consent page model. */
  consentView(request: AuthorizationRequest, target: RedirectTarget): Promise<ConsentView> {
    return consentView(request, target.client, this.#deps);
  }

  /** Denies, or authenticates the user and issues a code. */
  completeAuthorization(request: AuthorizationRequest, target: RedirectTarget, decision: ConsentDecision, issuer: string): Promise<CompletedAuthorization> {
    return completeAuthorization(request, target, decision, issuer, { ...this.#deps, codeTtlSeconds: this.#deps.settings.authorizationCodeTtlSeconds });
  }

  /** The user's remembered consent for the request's client when it covers the requested scopes. */
  rememberedConsent(request: AuthorizationRequest, target: RedirectTarget, userId: string): Promise<Consent | undefined> {
    return coveringConsent(this.#deps.repos, userId, target.client.id, request.scopes);
  }

  /**
   * The CSRF cookie's nonce (the browser's current one when well-formed) and the form token bound
   * to this request and signed-in user.
   */
  csrfForm(cookieNonce: string | undefined, request: AuthorizationRequest, signedInUserId: string | undefined): { nonce: string; token: string } {
    const nonce = this.#deps.csrf.nonce(cookieNonce);
    return { nonce, token: this.#deps.csrf.token(nonce, csrfBinding(request, signedInUserId)) };
  }

  /** True when a submitted form token matches the browser's nonce and this request (constant time). */
  verifyCsrf(cookieNonce: string | undefined, token: string | undefined, request: AuthorizationRequest, signedInUserId: string | undefined): boolean {
    return this.#deps.csrf.verify(cookieNonce, csrfBinding(request, signedInUserId), token);
  }

  /**
   * The browser session behind a cookie, with its user, when the session is signed, unexpired and
   * of the user's current session epoch, and the user is active and verified (the same rule as
   * every token path). A session ended by logout, a password change or reset, deactivation or
   * demotion is `undefined` here, even when its cookie is replayed.
   */
  async browserSession(cookie: string | undefined): Promise<{ session: BrowserSession; user: User } | undefined> {
    const session = await this.#deps.sessions.read(cookie);
    if (!session) return undefined;
    const user = await this.#deps.repos.users.findById(session.userId);
    if (!user || accountProblem(user) || user.sessionEpoch !== session.epoch) return undefined;
    return { session, user };
  }

  /** A new browser-session cookie value for a login at `authTime` (with the session id already handed out, if any). */
  startBrowserSession(user: User, authTime: Date, sid?: string): Promise<string> {
    return this.#deps.sessions.issue(user, authTime, sid);
  }

  /**
   * Ends every browser session of the user behind a live session cookie (the epoch rises), so a
   * copy of the cookie is dead too. Tokens are not touched here. A dead cookie ends nothing.
   */
  async endBrowserSessions(cookie: string | undefined): Promise<void> {
    const browser = await this.browserSession(cookie);
    if (!browser) return;
    await this.#deps.repos.users.update(browser.user.id, {}, { endSessions: true });
    // Every browser session of the user ended: their clients are told (Back-Channel Logout 1.0 §2.5).
    await this.#deps.repos.backchannelLogout.enqueueForUser(browser.user.id, this.#deps.clock.now());
  }

  /** Seconds a browser session lasts. */
  get browserSessionTtlSeconds(): number {
    return this.#deps.sessions.ttlSeconds;
  }

  /** The current time, from the injected clock. */
  now(): Date {
    return this.#deps.clock.now();
  }

  /** An error response to a validated redirect target. */
  authorizationError(target: RedirectTarget, error: OAuthError, issuer: string): AuthorizationResponse {
    return errorResponse(target, error, issuer);
  }

  /** `POST /oauth/token`. */
  token(request: TokenRequest): Promise<TokenResponse> {
    return exchangeToken(request, this.#grantDeps);
  }

  /** Authly's JSON `POST /oauth/refresh`. */
  refresh(request: TokenRequest): Promise<TokenResponse> {
    return refreshWithJson(request, this.#grantDeps);
  }

  /** `POST /oauth/revoke` (RFC 7009). */
  revoke(input: TokenInspectionInput): Promise<typeof REVOCATION_PROCESSED> {
    return revokeToken(input, this.#deps);
  }

  /** `POST /oauth/introspect` (RFC 7662). */
  introspect(input: TokenInspectionInput): Promise<IntrospectionResponse> {
    return introspectToken(input, { ...this.#deps, requireClientAuth: this.#deps.settings.introspectionRequiresClientAuth });
  }

  /** Validates a bearer access token (RFC 6750). */
  authenticateBearer(presented: PresentedAccessToken): Promise<BearerPrincipal> {
    return authenticateBearer(presented, this.#deps);
  }

  /** RFC 8414 metadata for this issuer. */
  async metadata(issuer: string): Promise<AuthorizationServerMetadata> {
    const scopes = await this.#deps.repos.scopes.list({ limit: 100, offset: 0 });
    return authorizationServerMetadata(issuer, scopes.map((s) => s.scopeName), this.features);
  }

  /** What discovery advertises beyond the fixed capabilities. */
  get features(): ServerFeatures {
    return {
      requirePushedAuthorizationRequests: this.#deps.settings.requirePushedAuthorizationRequests ?? false,
      dpopSigningAlgValues: this.#deps.dpop?.algorithms ?? DEFAULT_FEATURES.dpopSigningAlgValues,
      registration: this.#deps.settings.discovery?.registration ?? false,
      backchannelLogout: this.#deps.settings.discovery?.backchannelLogout ?? false,
    };
  }
}
