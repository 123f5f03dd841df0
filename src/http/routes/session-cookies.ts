import type { CookieSerializeOptions } from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** The login-page CSRF token (double submit). */
export const CSRF_COOKIE = 'authly_csrf';
/** The browser login session (a signed JWT: services/browser-session.ts), over plain HTTP. */
export const SESSION_COOKIE = 'authly_session';
/**
 * The session cookie over HTTPS. The `__Host-` prefix (RFC 6265bis §4.1.3.2) makes the browser
 * accept it only with `Secure`, `Path=/` and no `Domain`, so neither a sibling subdomain nor a
 * plain-HTTP response can plant or overwrite it.
 */
export const SECURE_SESSION_COOKIE = `__Host-${SESSION_COOKIE}`;

/**
 * Cookie attributes for both: HttpOnly (no script reads them), SameSite=Lax (not sent on
 * cross-site POSTs, still sent on the top-level GET that starts an authorization), and Secure
 * whenever the request came over HTTPS, directly or through a trusted TLS-terminating proxy.
 */
export function sessionCookieOptions(request: FastifyRequest): CookieSerializeOptions {
  return { path: '/', httpOnly: true, sameSite: 'lax', secure: request.viaHttps };
}

/** The session cookie's name for this request: `__Host-authly_session` over HTTPS. */
export function sessionCookieName(request: FastifyRequest): string {
  return request.viaHttps ? SECURE_SESSION_COOKIE : SESSION_COOKIE;
}

/**
 * The session cookie this request carries, under the name it was set with. Over HTTPS only the
 * `__Host-` name counts: a plain `authly_session` there may have been planted over HTTP.
 */
export function readSessionCookie(request: FastifyRequest): string | undefined {
  return request.cookies[sessionCookieName(request)];
}

/** Sets the session cookie (its `Path=/` is what the `__Host-` prefix requires). */
export function setSessionCookie(request: FastifyRequest, reply: FastifyReply, value: string, maxAgeSeconds: number): void {
  reply.setCookie(sessionCookieName(request), value, { ...sessionCookieOptions(request), maxAge: maxAgeSeconds });
}

/** Ends the browser session: clears the cookie under the name this request uses. */
export function clearSessionCookie(request: FastifyRequest, reply: FastifyReply): void {
  reply.clearCookie(sessionCookieName(request), sessionCookieOptions(request));
}
