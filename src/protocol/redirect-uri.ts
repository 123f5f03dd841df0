/**
 * Schemes a browser runs, or reads from itself, instead of handing the navigation to a web site or
 * an app: as a redirect target (or a form_post `action`) they execute on this server's origin.
 */
const FORBIDDEN_SCHEMES: ReadonlySet<string> = new Set(['javascript:', 'vbscript:', 'data:', 'file:', 'blob:', 'filesystem:', 'about:', 'view-source:']);

/** RFC 8252 §7.3: plain `http` is acceptable only to the device itself. */
const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Whitespace (Unicode too) and control characters: header splitting, or text the URL parser drops. */
const UNSAFE_CHARACTERS = /[\s\p{Cc}]/u;

function parse(uri: string): URL | undefined {
  try {
    return new URL(uri);
  } catch {
    return undefined;
  }
}

/**
 * Why `uri` may not be registered as a redirect URI, or `undefined` when it may. Parsed with the
 * WHATWG URL parser browsers use, it must serialise back to itself (so no two spellings of one
 * target, RFC 6749 §3.1.2.3 compares exact strings), carry no fragment (RFC 6749 §3.1.2), no
 * userinfo, no whitespace or control characters, and not use a scheme that runs in the browser
 * (`javascript:`, `data:`, …). Custom schemes of native apps (RFC 8252 §7.1) stay allowed.
 */
export function redirectUriProblem(uri: string): string | undefined {
  if (UNSAFE_CHARACTERS.test(uri)) return 'whitespace or control characters are not allowed';
  const url = parse(uri);
  if (!url) return 'not a valid URL';
  if (FORBIDDEN_SCHEMES.has(url.protocol)) return `the ${url.protocol} scheme is not allowed`;
  if (url.href !== uri) return `not in canonical form, which is ${url.href}`;
  if (url.href.includes('#')) return 'a fragment is not allowed';
  if (url.username !== '' || url.password !== '') return 'user information is not allowed';
  return undefined;
}

/**
 * True when a stored redirect URI may receive a browser: it parses, has no whitespace or control
 * characters and no browser-executed scheme. The authorization endpoint checks this at every
 * request, so a row written before the registration rules (or imported) never becomes an XSS.
 */
export function isSafeRedirectTarget(uri: string): boolean {
  if (UNSAFE_CHARACTERS.test(uri)) return false;
  const url = parse(uri);
  return url !== undefined && !FORBIDDEN_SCHEMES.has(url.protocol);
}

/** True for `http:` and `https:` URIs: the only targets a form can be posted to (form_post). */
export function isWebRedirectTarget(uri: string): boolean {
  const protocol = parse(uri)?.protocol;
  return protocol === 'http:' || protocol === 'https:';
}

/**
 * The rule for clients that cannot keep a secret (RFC 8252 §7.3, §8.3): `https`, a custom scheme,
 * or plain `http` only to the exact loopback names (`http://localhost.evil.example` is not one).
 */
export function isPublicClientRedirectUri(uri: string): boolean {
  const url = parse(uri);
  if (!url) return false;
  if (url.protocol === 'http:') return LOOPBACK_HOSTS.has(url.hostname);
  return true;
}

/**
 * The CSP source that lets a form submission end at `uri` (CSP3 `form-action` also governs the
 * redirects that follow a submission): the origin of an http(s) target, the scheme of a native
 * app's custom scheme, and nothing for a target that is not safe.
 */
export function formActionSource(uri: string): string | undefined {
  if (!isSafeRedirectTarget(uri)) return undefined;
  const url = new URL(uri);
  const source = url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : url.protocol;
  return isSafeFormActionSource(source) ? source : undefined;
}

/** An http(s) origin, or a scheme (CSP3 §2.3.1 `scheme-source`) that is not browser-executed. */
const SOURCE_SHAPE = /^(?:https?:\/\/[A-Za-z0-9.\-[\]:]+|[a-z][a-z0-9+.-]*:)$/;

/**
 * True when `source` may be added to CSP `form-action`: an http(s) origin or a safe scheme, with
 * nothing that could end the directive (`;`, `,`, whitespace, quotes).
 */
export function isSafeFormActionSource(source: string): boolean {
  return SOURCE_SHAPE.test(source) && !FORBIDDEN_SCHEMES.has(source);
}
