import type { CookieSerializeOptions } from '@fastify/cookie';
import type { FastifyRequest } from 'fastify';

/** The login-page CSRF token (double submit). */
export const CSRF_COOKIE = 'authly_csrf';
/** The browser login session (a signed JWT: services/browser-session.ts). */
export const SESSION_COOKIE = 'authly_session';

/**
 * Cookie attributes for both: HttpOnly (no script reads them), SameSite=Lax (not sent on
 * cross-site POSTs, still sent on the top-level GET that starts an authorization), and Secure
 * whenever the request came over HTTPS.
 */
export function sessionCookieOptions(request: FastifyRequest): CookieSerializeOptions {
  return { path: '/', httpOnly: true, sameSite: 'lax', secure: request.protocol === 'https' };
}
