import { isPublicClientRedirectUri, redirectUriProblem } from '../../protocol/redirect-uri.js';
import { badRequest } from '../users/detail-error.js';

/** Authly's `REDIRECT_URI_MAX_LENGTH`. */
export const REDIRECT_URI_MAX_LENGTH = 2000;

/** The OIDC fields the business rules look at (Authly's names). */
export interface OidcRuleInput {
  subject_type?: string;
  sector_identifier_uri?: string | null;
  default_max_age?: number | null;
  request_uris?: string[];
  contacts?: string[];
  application_type?: string;
}

/** Authly's rule: a public client authenticates with `none`, a confidential one never does. */
export function checkAuthMethod(clientType: string, method: string): void {
  if (clientType === 'public' && method !== 'none') throw badRequest("Public clients must use 'none' token endpoint auth method");
  if (clientType === 'confidential' && method === 'none') throw badRequest("Confidential clients cannot use 'none' token endpoint auth method");
}

/**
 * Authly's redirect URI rules, in its order and with its messages, plus the safety rules of
 * `redirectUriProblem` (canonical WHATWG URL, no `javascript:`/`data:`-like scheme, fragment,
 * userinfo or whitespace). Public clients cannot keep a secret, so plain `http://` is allowed
 * only to the exact loopback names (RFC 8252 §7.3); custom schemes are native-app redirects
 * (RFC 8252 §7.1). Confidential clients keep Authly's "any scheme" (they authenticate to redeem
 * a code), within the safety rules.
 */
export function checkRedirectUris(clientType: string, uris: readonly string[]): void {
  if (uris.length === 0) throw badRequest('At least one redirect URI is required');
  for (const uri of uris) {
    if (uri === '' || uri.length > REDIRECT_URI_MAX_LENGTH) throw badRequest(`Invalid redirect URI: ${uri}`);
    if (!uri.includes('://')) throw badRequest(`Invalid redirect URI - missing scheme: ${uri}`);
    const problem = redirectUriProblem(uri);
    if (problem) throw badRequest(`Invalid redirect URI: ${uri} (${problem})`);
    if (clientType === 'public' && !isPublicClientRedirectUri(uri)) {
      throw badRequest(`Public clients must use HTTPS, localhost, or custom schemes: ${uri}`);
    }
  }
}

/**
 * OIDC Back-Channel Logout 1.0 §2.2: an absolute http(s) URL without a fragment (it may carry a
 * query). Whether its address may be reached is decided at delivery (SSRF guard).
 */
export function checkBackchannelLogoutUri(uri: string | null | undefined): void {
  if (uri === undefined || uri === null) return;
  const parsed = URL.canParse(uri) ? new URL(uri) : undefined;
  if (!parsed || !/^https?:$/.test(parsed.protocol) || parsed.hash !== '' || uri.includes('#') || parsed.username !== '' || parsed.password !== '') {
    throw badRequest(`Invalid backchannel_logout_uri: ${uri}`);
  }
}

/** Authly's redirect URI rules, in its order. `scopes` are the client's requested scope names. */
export function checkOidcFields(input: OidcRuleInput, scopes: readonly string[]): void {
  if (input.subject_type === 'pairwise' && scopes.includes('openid') && !input.sector_identifier_uri) {
    throw badRequest('sector_identifier_uri is required for pairwise subject type');
  }
  if (input.default_max_age !== undefined && input.default_max_age !== null && input.default_max_age < 0) {
    throw badRequest('default_max_age must be non-negative');
  }
  for (const uri of input.request_uris ?? []) {
    if (!uri.startsWith('https://')) throw badRequest(`request_uris must use HTTPS: ${uri}`);
  }
  for (const contact of input.contacts ?? []) {
    if (!contact.includes('@') || !contact.includes('.')) throw badRequest(`Invalid contact email format: ${contact}`);
  }
  if (input.application_type !== undefined && input.application_type !== 'web' && input.application_type !== 'native') {
    throw badRequest("application_type must be 'web' or 'native'");
  }
}

/** Space-separated scope string → names (RFC 6749 §3.3). */
export function scopeNames(scope: string | null | undefined): string[] {
  return (scope ?? '').split(/\s+/).filter(Boolean);
}

/** Members of a private JWK (RFC 7518 §6.2.2, §6.3.2, §6.4; RFC 8037 §2): never registered. */
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

/** The key material a `private_key_jwt` client registers. */
export interface ClientKeysInput {
  token_endpoint_auth_method: string;
  jwks: { keys: Record<string, unknown>[] } | null;
  jwks_uri: string | null;
}

/**
 * RFC 7591 §2: `jwks` and `jwks_uri` exclude each other; `private_key_jwt` (RFC 7523 §2.2) needs
 * one of them. Registered keys are public asymmetric keys only: a private or symmetric member
 * would put a secret in the database and in every admin listing.
 */
export function checkClientKeys(input: ClientKeysInput): void {
  if (input.jwks && input.jwks_uri) throw badRequest('jwks and jwks_uri cannot both be set');
  if (input.token_endpoint_auth_method === 'private_key_jwt' && !input.jwks && !input.jwks_uri) {
    throw badRequest('private_key_jwt needs jwks or jwks_uri');
  }
  if (input.jwks_uri !== null && !/^https?:\/\//.test(input.jwks_uri)) throw badRequest(`jwks_uri must be an http(s) URL: ${input.jwks_uri}`);
  if (input.jwks_uri !== null && redirectUriProblem(input.jwks_uri)) throw badRequest(`Invalid jwks_uri: ${input.jwks_uri}`);
  for (const key of input.jwks?.keys ?? []) {
    if (key.kty !== 'RSA' && key.kty !== 'EC' && key.kty !== 'OKP') throw badRequest('jwks keys must have kty RSA, EC or OKP');
    if (PRIVATE_JWK_MEMBERS.some((member) => member in key)) throw badRequest('jwks must hold public keys only');
  }
}
