import { presentedAccessToken } from '../request-uri.js';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { OAuthError } from '../../protocol/errors.js';
import type { OAuthService } from '../../services/oauth-service.js';
import { UserInfoError, type OidcService } from '../../services/oidc-service.js';
import { issuerFor } from '../issuer.js';
import { isJsonRequest, singleValues } from '../request-params.js';
import { RequestValidationError } from '../validation.js';
import { clearSessionCookie, readSessionCookie } from './session-cookies.js';
import { DISCOVERY_CACHE_CONTROL } from './oauth-metadata.js';
import { renderFrontChannelLogoutPage, renderLogoutPage, renderSessionIframe } from '../views/oidc-pages.js';

/** Options of the OIDC routes. */
export interface OidcRoutesOptions {
  oauth: OAuthService;
  oidc: OidcService;
  issuer: string | null;
}

/** These pages must never be cached. */
function noCache(reply: FastifyReply): FastifyReply {
  return reply.header('cache-control', 'no-cache, no-store, must-revalidate').header('pragma', 'no-cache').header('expires', '0');
}

function detail(reply: FastifyReply, err: UserInfoError): FastifyReply {
  return reply.code(err.status).headers(err.headers).send({ detail: err.message });
}

/** Serves a handler at `/oidc/<path>` and `/api/v1/oidc/<path>`. */
function both(app: FastifyInstance, path: string, handler: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>): void {
  app.get(`/oidc/${path}`, handler);
  app.get(`/api/v1/oidc/${path}`, handler);
}

/**
 * OIDC endpoints: UserInfo (GET, POST and Authly's PUT), the discovery
 * document, RP-initiated logout and Authly's session-management pages.
 */
export const oidcRoutes: FastifyPluginAsync<OidcRoutesOptions> = async function oidcRoutes(app: FastifyInstance, options) {
  const { oauth, oidc } = options;

  async function userInfo(request: FastifyRequest, reply: FastifyReply) {
    const principal = await oauth.authenticateBearer(presentedAccessToken(request));
    try {
      return reply.header('cache-control', 'no-store').send(oidc.userInfo(principal));
    } catch (err) {
      if (err instanceof UserInfoError) return detail(reply, err);
      throw err;
    }
  }
  // OIDC Core §5.3.1: UserInfo answers GET and POST.
  app.get('/oidc/userinfo', { config: { oauthErrors: true } }, userInfo);
  app.post('/oidc/userinfo', { config: { oauthErrors: true } }, userInfo);

  app.put('/oidc/userinfo', { config: { oauthErrors: true } }, async function updateUserInfo(request, reply) {
    const principal = await oauth.authenticateBearer(presentedAccessToken(request));
    const body = request.body;
    if (!isJsonRequest(request.headers['content-type']) || body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw new RequestValidationError([{ type: 'model_attributes_type', loc: ['body'], msg: 'Input should be a valid dictionary', input: body ?? null }]);
    }
    const issues = invalidClaimTypes(body as Record<string, unknown>);
    if (issues.length > 0) throw new RequestValidationError(issues);
    try {
      return await oidc.updateUserInfo(principal, body as Record<string, unknown>);
    } catch (err) {
      if (err instanceof UserInfoError) return detail(reply, err);
      throw err;
    }
  });

  app.get('/.well-known/openid-configuration', async function openidConfiguration(request, reply) {
    return reply.header('cache-control', DISCOVERY_CACHE_CONTROL).send(await oidc.discovery(issuerFor(request, options.issuer)));
  });

  both(app, 'logout', async function logout(request, reply) {
    const q = singleValues(request.query);
    try {
      const result = await oidc.logout({ idTokenHint: q.id_token_hint, postLogoutRedirectUri: q.post_logout_redirect_uri, state: q.state });
      // The browser's login session ends whatever the hint says: on the server too (the user's
      // session epoch rises), so a copy of the cookie no longer signs anyone in.
      await oauth.endBrowserSessions(readSessionCookie(request));
      clearSessionCookie(request, reply);
      if (result.kind === 'redirect') return reply.redirect(result.location, 302);
      return noCache(reply).type('text/html; charset=utf-8').send(renderLogoutPage());
    } catch (err) {
      if (err instanceof UserInfoError) return detail(reply, err);
      if (err instanceof OAuthError) return reply.code(400).send({ detail: err.description });
      throw err;
    }
  });

  both(app, 'session/iframe', async function sessionIframe(_request, reply) {
    return noCache(reply).type('text/html; charset=utf-8').send(renderSessionIframe());
  });

  both(app, 'session/check', async function sessionCheck(request) {
    const q = singleValues(request.query);
    const browser = await oauth.browserSession(readSessionCookie(request));
    return {
      session_state: browser ? 'active' : 'logged_out',
      authenticated: Boolean(browser),
      client_id: q.client_id ?? null,
      check_time: oauth.now().toISOString().replace('Z', '+00:00'),
    };
  });

  both(app, 'frontchannel/logout', async function frontChannelLogout(request, reply) {
    const q = singleValues(request.query);
    if (q.iss !== undefined && q.iss !== issuerFor(request, options.issuer)) {
      return reply.code(400).send({ detail: 'Invalid issuer parameter' });
    }
    await oauth.endBrowserSessions(readSessionCookie(request));
    clearSessionCookie(request, reply);
    return noCache(reply).type('text/html; charset=utf-8').send(renderFrontChannelLogoutPage());
  });
};

const STRING_CLAIMS = ['given_name', 'family_name', 'middle_name', 'nickname', 'preferred_username', 'profile', 'picture', 'website', 'gender', 'zoneinfo', 'locale', 'phone_number', 'name'];

/** FastAPI-style type checks for `PUT /oidc/userinfo`. */
function invalidClaimTypes(body: Record<string, unknown>) {
  const issues = [];
  for (const claim of STRING_CLAIMS) {
    const value = body[claim];
    if (value !== undefined && value !== null && (typeof value !== 'string' || value.length > 255)) {
      issues.push({ type: 'string_type', loc: ['body', claim], msg: 'Input should be a valid string of at most 255 characters', input: value });
    }
  }
  const birthdate = body.birthdate;
  if (birthdate !== undefined && birthdate !== null && (typeof birthdate !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(birthdate) || Number.isNaN(Date.parse(birthdate)))) {
    issues.push({ type: 'date_from_datetime_parsing', loc: ['body', 'birthdate'], msg: 'Input should be a valid date in the format YYYY-MM-DD', input: birthdate });
  }
  const address = body.address;
  if (address !== undefined && address !== null && (typeof address !== 'object' || Array.isArray(address) || Object.values(address).some((v) => typeof v !== 'string'))) {
    issues.push({ type: 'model_type', loc: ['body', 'address'], msg: 'Input should be an object of strings', input: address });
  }
  return issues;
}
