import type { ResponseMode } from '../domain/authorization-code.js';

/** How the authorization response reaches the client (OAuth 2.0 Multiple Response Types, Form Post). */
export type AuthorizationResponse =
  | { kind: 'redirect'; location: string }
  | { kind: 'form_post'; action: string; fields: Record<string, string> };

/** RFC 6749 §3.1.2.3 / OAuth 2.1 §4.1.1: redirect URIs compare by exact string equality. */
export function isRegisteredRedirectUri(candidate: string, registered: readonly string[]): boolean {
  return registered.includes(candidate);
}

/**
 * Builds the response to `redirectUri` carrying `params`, dropping undefined ones. `query` keeps
 * any query the registered URI already has (RFC 6749 §3.1.2); `fragment` replaces the fragment.
 */
export function buildAuthorizationResponse(
  redirectUri: string,
  params: Record<string, string | undefined>,
  mode: ResponseMode = 'query',
): AuthorizationResponse {
  const defined = Object.fromEntries(Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined));
  if (mode === 'form_post') return { kind: 'form_post', action: redirectUri, fields: defined };
  const url = new URL(redirectUri);
  if (mode === 'fragment') {
    url.hash = new URLSearchParams(defined).toString();
  } else {
    for (const [k, v] of Object.entries(defined)) url.searchParams.append(k, v);
  }
  return { kind: 'redirect', location: url.toString() };
}
