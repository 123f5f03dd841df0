import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { User } from '../../domain/user.js';
import { InvalidGrant } from '../../protocol/errors.js';
import { DeviceEntryError, type DeviceAnswer, type DeviceEntry, type DeviceFlow } from '../../services/device/device-flow.js';
import type { LoginThrottle } from '../../services/login-throttle.js';
import type { OAuthService } from '../../services/oauth-service.js';
import { presentedCredentials } from '../client-credentials.js';
import { issuerFor } from '../issuer.js';
import { isFormRequest, singleValues } from '../request-params.js';
import { missingField, RequestValidationError } from '../validation.js';
import { renderDeviceDonePage, renderDeviceEntryPage } from '../views/device-pages.js';
import { renderLoginPage } from '../views/login-page.js';
import { html } from './authorize.js';
import { CSRF_COOKIE, readSessionCookie, sessionCookieOptions, setSessionCookie } from './session-cookies.js';

/** Options of the device routes. */
export interface DeviceRoutesOptions {
  device: DeviceFlow;
  oauth: OAuthService;
  issuer: string | null;
  /** Absolute path of the verification page, for the forms' `action` and the CSRF cookie's `Path`. */
  path: string;
  /** Rate limits and lockout of password sign-ins, as on the authorization endpoint. */
  throttle?: LoginThrottle;
}

type SignedIn = { user: User; authTime: Date; sid: string } | undefined;

/**
 * RFC 8628: `POST {P}/oauth/device_authorization` (§3.1) and the verification page
 * `GET`/`POST {P}/oauth/device` (§3.3): code entry, then the login and consent page of the
 * authorization endpoint, both forms CSRF-protected (signed double submit).
 */
export const deviceRoutes: FastifyPluginAsync<DeviceRoutesOptions> = async function deviceRoutes(app: FastifyInstance, options) {
  const { device, oauth } = options;

  app.post('/oauth/device_authorization', { config: { oauthErrors: true } }, async function deviceAuthorization(request, reply) {
    reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
    // RFC 8628 §3.1: form-encoded, like the token endpoint.
    if (!isFormRequest(request.headers['content-type'])) throw new RequestValidationError([missingField('body', 'client_id')]);
    const params = singleValues(request.body);
    return device.start(presentedCredentials(request, params), params.scope, issuerFor(request, options.issuer));
  });

  function setCsrfCookie(request: FastifyRequest, reply: FastifyReply, nonce: string): void {
    reply.setCookie(CSRF_COOKIE, nonce, { ...sessionCookieOptions(request), path: options.path });
  }

  function entryPage(request: FastifyRequest, reply: FastifyReply, userCode: string | undefined, error?: DeviceEntryError): FastifyReply {
    const csrf = device.entryCsrf(request.cookies[CSRF_COOKIE]);
    setCsrfCookie(request, reply, csrf.nonce);
    if (error?.retryAfterSeconds !== undefined) reply.header('retry-after', String(error.retryAfterSeconds));
    const page = renderDeviceEntryPage({ action: options.path, csrfToken: csrf.token, userCode: userCode?.slice(0, 64), error: error?.message });
    return html(reply, error?.status ?? 200, page);
  }

  function consentPage(request: FastifyRequest, reply: FastifyReply, entry: DeviceEntry, signedIn: SignedIn, error?: { message: string; status: number; username?: string }) {
    const csrf = device.consentCsrf(request.cookies[CSRF_COOKIE], entry, signedIn?.user.id);
    setCsrfCookie(request, reply, csrf.nonce);
    const page = renderLoginPage(
      { client: entry.client, scopes: entry.scopes },
      {
        action: options.path,
        params: { user_code: entry.userCode },
        csrfToken: csrf.token,
        error: error?.message,
        username: error?.username,
        signedInAs: error ? undefined : signedIn?.user.username,
      },
    );
    return html(reply, error?.status ?? 200, page);
  }

  async function signedIn(request: FastifyRequest): Promise<SignedIn> {
    const browser = await oauth.browserSession(readSessionCookie(request));
    return browser && { user: browser.user, authTime: browser.session.authTime, sid: browser.session.sid };
  }

  app.get('/oauth/device', async function verificationPage(request, reply) {
    return entryPage(request, reply, singleValues(request.query).user_code);
  });

  app.post('/oauth/device', async function verificationSubmit(request, reply) {
    const all = singleValues(request.body);
    const cookie = request.cookies[CSRF_COOKIE];
    const expired = new DeviceEntryError('The form has expired; enter the code again.', 403);
    if (all.approved === undefined && !device.verifyEntryCsrf(cookie, all.csrf_token)) return entryPage(request, reply, all.user_code, expired);
    let entry: DeviceEntry;
    try {
      entry = await device.enter(all.user_code, request.clientAddress);
    } catch (error) {
      if (error instanceof DeviceEntryError) return entryPage(request, reply, all.user_code, error);
      throw error;
    }
    const session = await signedIn(request);
    if (all.approved === undefined) return consentPage(request, reply, entry, session);
    if (!device.verifyConsentCsrf(cookie, all.csrf_token, entry, session?.user.id)) return entryPage(request, reply, entry.userCode, expired);

    let answer: DeviceAnswer;
    if (all.approved.toLowerCase() !== 'true') answer = { approved: false };
    else if (all.password) answer = { approved: true, credentials: { username: all.username ?? '', password: all.password } };
    else if (session) answer = { approved: true, ...session };
    else return consentPage(request, reply, entry, undefined, { message: 'Please sign in', status: 401, username: all.username });

    try {
      const run = () => device.answer(entry, answer);
      const result =
        options.throttle && 'credentials' in answer ? await options.throttle.guard({ ip: request.clientAddress, username: answer.credentials.username }, run) : await run();
      if (result.login?.fresh) {
        const cookieValue = await oauth.startBrowserSession(result.login.user, result.login.authTime, result.login.sid);
        setSessionCookie(request, reply, cookieValue, oauth.browserSessionTtlSeconds);
      }
      return html(reply, 200, renderDeviceDonePage(result.approved));
    } catch (error) {
      // A failed sign-in shows the page again with a generic message (and a lockout's 429).
      if (error instanceof InvalidGrant && 'credentials' in answer) {
        reply.headers(error.headers);
        return consentPage(request, reply, entry, undefined, { message: error.description, status: error.status === 429 ? 429 : 401, username: answer.credentials.username });
      }
      throw error;
    }
  });
};
