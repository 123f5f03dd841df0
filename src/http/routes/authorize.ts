import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { constantTimeEqual } from '../../crypto/digest.js';
import { AUTHORIZATION_PARAMETERS, type AuthorizationParams } from '../../protocol/authorize/request.js';
import { InvalidGrant, OAuthError } from '../../protocol/errors.js';
import type { AuthorizationResponse } from '../../protocol/redirect.js';
import { AuthorizationPageError, type ConsentDecision } from '../../services/authorize.js';
import type { OAuthService } from '../../services/oauth-service.js';
import { issuerFor } from '../issuer.js';
import { singleValues } from '../request-params.js';
import { formActionSource } from '../security-headers.js';
import { renderErrorPage } from '../views/error-page.js';
import { renderFormPostPage } from '../views/form-post-page.js';
import { renderLoginPage } from '../views/login-page.js';

/** Options of the authorization routes. */
export interface AuthorizeRoutesOptions {
  oauth: OAuthService;
  issuer: string | null;
  /** Absolute path of the endpoint, for the form's `action` and the cookie's `Path`. */
  path: string;
}

const CSRF_COOKIE = 'authly_csrf';

function html(reply: FastifyReply, status: number, body: string): FastifyReply {
  return reply.code(status).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(body);
}

/** Sends the authorization response: a 302 (query/fragment) or an auto-posting form. */
function respond(reply: FastifyReply, response: AuthorizationResponse): FastifyReply {
  if (response.kind === 'redirect') return reply.header('cache-control', 'no-store').redirect(response.location, 302);
  reply.formActionSources = [formActionSource(response.action)];
  return html(reply, 200, renderFormPostPage(response.action, response.fields));
}

function pageError(reply: FastifyReply, error: OAuthError, request: FastifyRequest): FastifyReply {
  // API clients asking for JSON get the OAuth body; browsers get a page (spec D7).
  const wantsJson = /application\/json/.test(request.headers.accept ?? '') && !/text\/html/.test(request.headers.accept ?? '');
  if (wantsJson) return reply.code(error.status).send({ error: error.error, error_description: error.description });
  return html(reply, error.status, renderErrorPage(error.error, error.description));
}

function authorizationParams(all: Record<string, string>): Record<string, string> & AuthorizationParams {
  const params: Record<string, string> = {};
  for (const name of AUTHORIZATION_PARAMETERS) if (all[name] !== undefined) params[name] = all[name];
  return params;
}

/**
 * `GET` and `POST {P}/oauth/authorize` (RFC 6749 §4.1.1, spec §3.3.1–3.3.2 with D6/D7): the GET
 * validates and shows the login and consent page; the POST re-validates, checks the CSRF token
 * (or accepts Authly's bearer-token API style), authenticates and redirects with a code.
 */
export const authorizeRoutes: FastifyPluginAsync<AuthorizeRoutesOptions> = async function authorizeRoutes(app: FastifyInstance, options) {
  async function handle(request: FastifyRequest, reply: FastifyReply, all: Record<string, string>, submit: boolean) {
    const params = authorizationParams(all);
    const issuer = issuerFor(request, options.issuer);
    let validation;
    try {
      validation = await options.oauth.validateAuthorization(params);
    } catch (err) {
      if (err instanceof AuthorizationPageError) return pageError(reply, err.oauth, request);
      throw err;
    }
    const { target, result } = validation;
    if (!result.ok) return respond(reply, options.oauth.authorizationError(target, result.error, issuer));
    // The consent form's POST ends in a redirect to the client; CSP form-action must allow it.
    reply.formActionSources = [formActionSource(target.redirectUri)];

    if (!submit) return showLoginPage(request, reply, params, result.request, target);
    const decision = await consentDecision(request, all);
    if (decision === 'csrf') return pageError(reply, new OAuthError('invalid_request', 'The form has expired; start again from the application', 403, false), request);
    try {
      return respond(reply, await options.oauth.completeAuthorization(result.request, target, decision, issuer));
    } catch (err) {
      // A failed login shows the page again (OWASP: generic message), never a redirect.
      if (err instanceof InvalidGrant && 'credentials' in decision) {
        return showLoginPage(request, reply, params, result.request, target, err.description, decision.credentials.username);
      }
      throw err;
    }
  }

  async function showLoginPage(
    request: FastifyRequest,
    reply: FastifyReply,
    params: Record<string, string>,
    authRequest: Parameters<OAuthService['consentView']>[0],
    target: Parameters<OAuthService['consentView']>[1],
    error?: string,
    username?: string,
  ) {
    const view = await options.oauth.consentView(authRequest, target);
    const csrfToken = randomBytes(32).toString('base64url');
    // Double-submit CSRF token: SameSite=Lax keeps it off cross-site POSTs (OWASP CSRF cheat sheet).
    reply.setCookie(CSRF_COOKIE, csrfToken, {
      path: options.path,
      httpOnly: true,
      sameSite: 'lax',
      secure: request.protocol === 'https',
    });
    return html(reply, error ? 401 : 200, renderLoginPage(view, { action: options.path, params, csrfToken, error, username }));
  }

  async function consentDecision(request: FastifyRequest, all: Record<string, string>): Promise<ConsentDecision | 'csrf'> {
    const approved = (all.approved ?? '').toLowerCase() === 'true';
    // Authly's API style (spec §3.3.2): a bearer token authenticates; no browser cookie is involved.
    if (request.headers.authorization) {
      const principal = await options.oauth.authenticateBearer(request.headers.authorization);
      if (!principal.user) throw new InvalidGrant('A user token is required');
      return approved ? { approved: true, user: principal.user } : { approved: false };
    }
    const cookie = request.cookies[CSRF_COOKIE];
    if (!cookie || !all.csrf_token || !constantTimeEqual(cookie, all.csrf_token)) return 'csrf';
    if (!approved) return { approved: false };
    return { approved: true, credentials: { username: all.username ?? '', password: all.password ?? '' } };
  }

  app.get('/oauth/authorize', { config: { oauthErrors: true } }, async function authorizeGet(request, reply) {
    return handle(request, reply, singleValues(request.query), false);
  });

  app.post('/oauth/authorize', { config: { oauthErrors: true } }, async function authorizePost(request, reply) {
    return handle(request, reply, singleValues(request.body), true);
  });
};
