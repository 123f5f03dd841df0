import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isSafeFormActionSource } from '../protocol/redirect-uri.js';
import { DOCS_PREFIX } from './openapi/openapi.js';

/** The Content-Security-Policy of every response over plain HTTP. */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'unsafe-inline'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "media-src 'none'",
  "object-src 'none'",
  "child-src 'none'",
  "frame-src 'none'",
  "worker-src 'none'",
  "manifest-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Over HTTPS the policy also asks the browser to fetch any `http:` subresource or form target
 * over `https:` (CSP upgrade-insecure-requests, W3C UIR §3). Never over plain HTTP: there it would
 * send the login form of `http://<lan-name>:8000` to `https://`, where nothing answers and
 * `form-action 'self'` refuses it, so the button would silently do nothing.
 */
const HTTPS_CONTENT_SECURITY_POLICY = `${CONTENT_SECURITY_POLICY}; upgrade-insecure-requests`;

/**
 * Swagger UI at `/docs`: its scripts and styles are files below `/docs` (no inline script), it
 * sets inline styles, and it fetches the document from the same origin. Without
 * `upgrade-insecure-requests`: on a plain-HTTP deployment the page's own assets would otherwise
 * be asked for over HTTPS and never load (CSP3 upgrade-insecure-requests §4.1).
 */
const DOCS_CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "frame-src 'none'",
  "worker-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** True for the API description page and its assets. */
function isDocsRoute(request: FastifyRequest): boolean {
  const url = request.routeOptions.url;
  return url !== undefined && (url === DOCS_PREFIX || url.startsWith(`${DOCS_PREFIX}/`));
}

const PERMISSIONS_POLICY = [
  'accelerometer',
  'autoplay',
  'camera',
  'cross-origin-isolated',
  'display-capture',
  'encrypted-media',
  'fullscreen',
  'geolocation',
  'gyroscope',
  'magnetometer',
  'microphone',
  'midi',
  'payment',
  'picture-in-picture',
  'publickey-credentials-get',
  'screen-wake-lock',
  'sync-xhr',
  'usb',
  'web-share',
  'xr-spatial-tracking',
]
  .map((feature) => `${feature}=()`)
  .join(', ');

/** Headers on every response, overwriting any value a handler set (`content-security-policy` over HTTPS gains `upgrade-insecure-requests`). */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'x-xss-protection': '1; mode=block',
  'referrer-policy': 'strict-origin-when-cross-origin',
  'permissions-policy': PERMISSIONS_POLICY,
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
  'cross-origin-resource-policy': 'same-origin',
};

/**
 * HSTS only over HTTPS (RFC 6797 §7.2: not over plain HTTP). "Over HTTPS" includes a TLS proxy in
 * front of us (a trusted proxy's `X-Forwarded-Proto`, or an `https://` issuer): `request.viaHttps`.
 */
const HSTS = 'max-age=31536000; includeSubDomains; preload';

declare module 'fastify' {
  interface FastifyReply {
    /**
     * Extra CSP `form-action` sources for this response: a page whose form ends in a redirect
     * to an OAuth client (CSP3 §6.4.1 checks redirects of form submissions too).
     */
    formActionSources: string[] | null;
  }
}

/** Adds the security headers in one onSend hook (no helmet: it is not a dependency). */
export function registerSecurityHeaders(app: FastifyInstance): void {
  app.decorateReply('formActionSources', null);
  // A callback hook, not an async one: nothing here waits, and an async hook costs every response a
  // promise and a microtask turn.
  app.addHook('onSend', function addSecurityHeaders(request: FastifyRequest, reply: FastifyReply, payload, done) {
    reply.headers(SECURITY_HEADERS);
    if (isDocsRoute(request)) {
      reply.header('content-security-policy', DOCS_CONTENT_SECURITY_POLICY);
    } else {
      const policy = request.viaHttps ? HTTPS_CONTENT_SECURITY_POLICY : CONTENT_SECURITY_POLICY;
      // Only an http(s) origin or a safe scheme: never `javascript:`, never text that ends the directive.
      const sources = (reply.formActionSources ?? []).filter(isSafeFormActionSource);
      const withSources = sources.length > 0 ? policy.replace("form-action 'self'", `form-action 'self' ${sources.join(' ')}`) : policy;
      if (withSources !== CONTENT_SECURITY_POLICY) reply.header('content-security-policy', withSources);
    }
    if (request.viaHttps) reply.header('strict-transport-security', HSTS);
    done(null, payload);
  });
}
