import { presentedAccessToken } from '../request-uri.js';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { User } from '../../domain/user.js';
import { AUTHORIZATION_PARAMETERS, type AuthorizationParams, type AuthorizationRequest } from '../../protocol/authorize/request.js';
import type { RedirectTarget } from '../../protocol/authorize/validate-request.js';
import { InvalidGrant, OAuthError } from '../../protocol/errors.js';
import type { AuthorizationResponse } from '../../protocol/redirect.js';
import { formActionSource } from '../../protocol/redirect-uri.js';
import { AuthorizationPageError, decideInteraction, promptNoneError, type ConsentDecision, type Interaction } from '../../services/authorize.js';
import type { LoginThrottle } from '../../services/login-throttle.js';
import type { OAuthService } from '../../services/oauth-service.js';
import { issuerFor } from '../issuer.js';
import { singleValues } from '../request-params.js';
import { renderErrorPage } from '../views/error-page.js';
import { renderFormPostPage } from '../views/form-post-page.js';
import { renderLoginPage } from '../views/login-page.js';
import { CSRF_COOKIE, readSessionCookie, sessionCookieOptions, setSessionCookie } from './session-cookies.js';

/** Options of the authorization routes. */
export interface AuthorizeRoutesOptions {
  oauth: OAuthService;
  issuer: string | null;
  /** Absolute path of the endpoint, for the form's `action` and the CSRF cookie's `Path`. */
  path: string;
  /** Rate limits and lockout of login-form sign-ins; optional in tests. */
  throttle?: LoginThrottle;
}

/** A request that passed validation, with who is (or is not) signed in. */
interface Validated {
  params: Record<string, string>;
  /** The parameters came from a pushed request (RFC 9126); the form carries their seal. */
  pushed: boolean;
  request: AuthorizationRequest;
  target: RedirectTarget;
  signedIn: { user: User; authTime: Date; sid: string } | undefined;
  interaction: Interaction;
}

/** Sends a server-rendered page that must not be cached. */
export function html(reply: FastifyReply, status: number, body: string): FastifyReply {
  return reply.code(status).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(body);
}

/** Sends the authorization response: a 302 (query/fragment) or an auto-posting form. */
function respond(reply: FastifyReply, response: AuthorizationResponse): FastifyReply {
  if (response.kind === 'redirect') return reply.header('cache-control', 'no-store').redirect(response.location, 302);
  reply.formActionSources = formActionSources(response.action);
  return html(reply, 200, renderFormPostPage(response.action, response.fields));
}

/** CSP `form-action` additions for a page whose form ends at `uri` (none for an unsafe target). */
function formActionSources(uri: string): string[] {
  const source = formActionSource(uri);
  return source ? [source] : [];
}

function pageError(reply: FastifyReply, error: OAuthError, request: FastifyRequest): FastifyReply {
  // API clients asking for JSON get the OAuth body; browsers get a page.
  const accept = request.headers.accept ?? '';
  if (/application\/json/.test(accept) && !/text\/html/.test(accept)) {
    return reply.code(error.status).send({ error: error.error, error_description: error.description });
  }
  return html(reply, error.status, renderErrorPage(error.error, error.description));
}

function authorizationParams(all: Record<string, string>): Record<string, string> & AuthorizationParams {
  const params: Record<string, string> = {};
  for (const name of AUTHORIZATION_PARAMETERS) if (all[name] !== undefined) params[name] = all[name];
  return params;
}

/**
 * `GET` and `POST {P}/oauth/authorize` (RFC 6749 §4.1.1, OIDC Core §3.1.2): the
 * GET validates and shows the login and consent page (consent only, when a browser
 * session is live); the POST re-validates, checks the CSRF token (or accepts Authly's bearer-token
 * API style), authenticates and redirects with a code.
 */
export const authorizeRoutes: FastifyPluginAsync<AuthorizeRoutesOptions> = async function authorizeRoutes(app: FastifyInstance, options) {
  const { oauth } = options;

  /** Validates and resolves the session; `undefined` when a response was already sent. */
  async function validate(request: FastifyRequest, reply: FastifyReply, all: Record<string, string>): Promise<Validated | undefined> {
    let params = authorizationParams(all);
    let pushed = false;
    let validation;
    try {
      if (all.request_uri !== undefined) {
        // RFC 9126 §4: only client_id and request_uri count; the pushed parameters replace the rest.
        params = await oauth.resolvePushedRequest(all.client_id, all.request_uri);
        pushed = true;
      } else if (all.pushed_request !== undefined) {
        // The login form's POST of a pushed request: its fields must be the sealed ones.
        if (!oauth.verifyPushedSeal(params, all.pushed_request)) {
          throw new AuthorizationPageError(new OAuthError('invalid_request', 'The form has expired; start again from the application', 400, false));
        }
        pushed = true;
      }
      validation = await oauth.validateAuthorization(params, pushed);
    } catch (err) {
      if (err instanceof AuthorizationPageError) {
        pageError(reply, err.oauth, request);
        return undefined;
      }
      throw err;
    }
    const { target, result } = validation;
    if (!result.ok) {
      respond(reply, oauth.authorizationError(target, result.error, issuerFor(request, options.issuer)));
      return undefined;
    }
    const browser = await oauth.browserSession(readSessionCookie(request));
    const signedIn = browser ? { user: browser.user, authTime: browser.session.authTime, sid: browser.session.sid } : undefined;
    const interaction = decideInteraction(result.request, signedIn?.authTime, oauth.now());
    // The consent form's POST ends in a redirect to the client; CSP form-action must allow it.
    reply.formActionSources = formActionSources(target.redirectUri);
    return { params, pushed, request: result.request, target, signedIn, interaction };
  }

  async function showPage(request: FastifyRequest, reply: FastifyReply, v: Validated, error?: string, username?: string, status = 401) {
    const view = await oauth.consentView(v.request, v.target);
    // Signed double submit (OWASP CSRF cheat sheet): the cookie holds this browser's nonce, the
    // form an HMAC of it and of this request; SameSite=Lax keeps the cookie off cross-site POSTs.
    const csrf = oauth.csrfForm(request.cookies[CSRF_COOKIE], v.request, v.signedIn?.user.id);
    reply.setCookie(CSRF_COOKIE, csrf.nonce, { ...sessionCookieOptions(request), path: options.path });
    const signedInAs = v.interaction === 'consent' ? v.signedIn?.user.username : undefined;
    const page = renderLoginPage(view, {
      action: options.path,
      params: v.pushed ? { ...v.params, pushed_request: oauth.sealPushedRequest(v.params) } : v.params,
      csrfToken: csrf.token,
      error,
      username: username ?? v.request.loginHint,
      signedInAs,
    });
    return html(reply, error ? status : 200, page);
  }

  async function consentDecision(request: FastifyRequest, all: Record<string, string>, v: Validated): Promise<ConsentDecision | 'csrf' | 'login'> {
    const approved = (all.approved ?? '').toLowerCase() === 'true';
    // Authly's API style: a bearer token authenticates; no browser cookie is involved.
    if (request.headers.authorization) {
      const principal = await oauth.authenticateBearer(presentedAccessToken(request));
      if (!principal.user) throw new InvalidGrant('A user token is required');
      // The code may carry only what the token carries, for the token's own client.
      const bearer = { clientId: principal.token.record.clientId, scopes: principal.scopes };
      return approved ? { approved: true, user: principal.user, authTime: oauth.now(), bearer } : { approved: false };
    }
    if (!oauth.verifyCsrf(request.cookies[CSRF_COOKIE], all.csrf_token, v.request, v.signedIn?.user.id)) return 'csrf';
    if (!approved) return { approved: false };
    if (all.password) return { approved: true, credentials: { username: all.username ?? '', password: all.password } };
    if (v.interaction === 'consent' && v.signedIn) return { approved: true, user: v.signedIn.user, authTime: v.signedIn.authTime, sid: v.signedIn.sid };
    return 'login';
  }

  /**
   * OIDC Core §3.1.2.4: a user with a live session (no fresh login asked for) who already
   * consented to every requested scope for this client goes straight through — unless
   * `prompt=consent` asks again. `undefined` when the page must be shown.
   */
  async function throughRememberedConsent(request: FastifyRequest, v: Validated): Promise<AuthorizationResponse | undefined> {
    if (v.interaction !== 'consent' || !v.signedIn || v.request.prompt === 'consent') return undefined;
    const consent = await oauth.rememberedConsent(v.request, v.target, v.signedIn.user.id);
    if (!consent) return undefined;
    const decision: ConsentDecision = { approved: true, user: v.signedIn.user, authTime: v.signedIn.authTime, consentId: consent.id };
    return (await oauth.completeAuthorization(v.request, v.target, decision, issuerFor(request, options.issuer))).response;
  }

  app.get('/oauth/authorize', { config: { oauthErrors: true } }, async function authorizeGet(request, reply) {
    const v = await validate(request, reply, singleValues(request.query));
    if (!v) return reply;
    const remembered = await throughRememberedConsent(request, v);
    if (remembered) return respond(reply, remembered);
    if (v.request.prompt === 'none') {
      return respond(reply, oauth.authorizationError(v.target, promptNoneError(v.interaction), issuerFor(request, options.issuer)));
    }
    return showPage(request, reply, v);
  });

  app.post('/oauth/authorize', { config: { oauthErrors: true } }, async function authorizePost(request, reply) {
    const all = singleValues(request.body);
    const v = await validate(request, reply, all);
    if (!v) return reply;
    const decision = await consentDecision(request, all, v);
    if (decision === 'csrf') {
      return pageError(reply, new OAuthError('invalid_request', 'The form has expired; start again from the application', 403, false), request);
    }
    if (decision === 'login') return showPage(request, reply, { ...v, interaction: 'login' }, 'Please sign in', all.username);
    try {
      const complete = () => oauth.completeAuthorization(v.request, v.target, decision, issuerFor(request, options.issuer));
      // A login-form sign-in passes the login throttle (rate limits + lockout).
      const done =
        options.throttle && 'credentials' in decision
          ? await options.throttle.guard({ ip: request.clientAddress, username: decision.credentials.username }, complete)
          : await complete();
      if (done.login?.fresh && !request.headers.authorization) {
        const session = await oauth.startBrowserSession(done.login.user, done.login.authTime, done.login.sid ?? undefined);
        setSessionCookie(request, reply, session, oauth.browserSessionTtlSeconds);
      }
      return respond(reply, done.response);
    } catch (err) {
      // A failed login shows the page again (OWASP: generic message), never a redirect.
      if (err instanceof InvalidGrant && 'credentials' in decision) {
        // A locked account keeps its 429 and Retry-After on the page.
        reply.headers(err.headers);
        return showPage(request, reply, { ...v, interaction: 'login' }, err.description, decision.credentials.username, err.status === 429 ? 429 : 401);
      }
      throw err;
    }
  });
};
