import { credentialDigest } from '../crypto/digest.js';
import type { PushedRequestSeals } from '../crypto/pushed-request-seal.js';
import type { RandomSource } from '../crypto/random.js';
import { AUTHORIZATION_PARAMETERS } from '../protocol/authorize/request.js';
import { InvalidClient, InvalidDpopProof, InvalidRequest, OAuthError } from '../protocol/errors.js';
import type { Repositories } from '../repositories/repositories.js';
import type { Clock } from '../repositories/ports.js';
import { authenticateRequestClient, type ClientAuthServiceDeps, type PresentedClientCredentials } from './authenticate-client.js';
import { AuthorizationPageError, validateAuthorization } from './authorize.js';
import type { DpopVerifier } from './dpop/dpop-verifier.js';

/** RFC 9126 §2.2: the `request_uri` of a pushed request is a URN of this form. */
export const REQUEST_URI_PREFIX = 'urn:ietf:params:oauth:request_uri:';

/** How long the form's seal keeps a resolved pushed request usable: the login page's lifetime. */
const SEAL_SECONDS = 3600;

/** What pushed authorization requests need. */
export interface PushedAuthorizationDeps extends ClientAuthServiceDeps {
  repos: Repositories;
  clock: Clock;
  random: RandomSource;
  seals: PushedRequestSeals;
  dpop?: DpopVerifier;
  /** `oauth.pushed_request_expire_seconds`. */
  ttlSeconds: number;
}

/** A request to `POST {P}/oauth/par`. */
export interface PushInput {
  params: Record<string, string>;
  credentials: PresentedClientCredentials;
  dpop?: { proof: string | string[] | undefined; method: string; url: string };
}

/** RFC 9126 §2.2 success body (`201 Created`). */
export interface PushResponse {
  request_uri: string;
  expires_in: number;
}

/**
 * RFC 9126 §2: the client authenticates as at the token endpoint (a public client names itself),
 * the request is validated as the authorization endpoint would validate it, and is stored by the
 * digest of a random `request_uri` for `ttlSeconds`. A `DPoP` proof binds the code to come to its
 * key (RFC 9449 §10), as a `dpop_jkt` parameter does.
 */
export async function pushAuthorizationRequest(input: PushInput, deps: PushedAuthorizationDeps): Promise<PushResponse> {
  const client = await authenticateRequestClient(input.credentials, deps);
  if (!client) throw new InvalidClient('Client authentication required');
  // RFC 9126 §2.1: a request_uri cannot itself be pushed.
  if (input.params.request_uri !== undefined) throw new InvalidRequest('request_uri must not be pushed');
  if (input.params.client_id !== undefined && input.params.client_id !== client.clientId) {
    throw new InvalidRequest('client_id does not match the authenticated client');
  }
  const params: Record<string, string> = {};
  for (const name of AUTHORIZATION_PARAMETERS) if (input.params[name] !== undefined) params[name] = input.params[name];
  params.client_id = client.clientId;

  const proof = input.dpop && deps.dpop ? await deps.dpop.verify({ ...input.dpop, endpoint: 'authorization-server' }) : undefined;
  if (proof) {
    if (params.dpop_jkt !== undefined && params.dpop_jkt !== proof.jkt) throw new InvalidDpopProof('dpop_jkt does not match the DPoP proof key');
    params.dpop_jkt = proof.jkt;
  }

  let validation;
  try {
    validation = await validateAuthorization(params, deps, { pushed: true, requiredEverywhere: false });
  } catch (error) {
    if (error instanceof AuthorizationPageError) throw asPushError(error.oauth);
    throw error;
  }
  if (!validation.result.ok) throw asPushError(validation.result.error);

  const value = deps.random.token(32);
  const now = deps.clock.now();
  await deps.repos.pushedRequests.save({
    requestUriHash: credentialDigest(value),
    clientId: client.id,
    parameters: params,
    expiresAt: new Date(now.getTime() + deps.ttlSeconds * 1000),
    createdAt: now,
  });
  return { request_uri: `${REQUEST_URI_PREFIX}${value}`, expires_in: deps.ttlSeconds };
}

/** RFC 9126 §2.3: errors are the token endpoint's JSON errors, `400` unless authentication failed. */
function asPushError(error: OAuthError): OAuthError {
  return error.status === 400 ? error : new OAuthError(error.error, error.description, 400, false, { cause: error });
}

/**
 * RFC 9126 §4: the authorization endpoint's `client_id` + `request_uri`. The pushed request is
 * taken (deleted) at once, so a second use fails; it must belong to this client and be
 * unexpired. Only the pushed parameters count. Every failure is shown to the user, never
 * redirected: until the request is resolved, no redirect URI is trusted.
 */
export async function resolvePushedRequest(clientId: string | undefined, requestUri: string, deps: Pick<PushedAuthorizationDeps, 'repos' | 'clock'>): Promise<Record<string, string>> {
  const refuse = (description: string) => new AuthorizationPageError(new OAuthError('invalid_request_uri', description, 400, false));
  if (!clientId) throw new AuthorizationPageError(new OAuthError('invalid_request', 'client_id is required', 400, false));
  const client = await deps.repos.clients.findByClientId(clientId);
  if (!client) throw new AuthorizationPageError(new OAuthError('invalid_client', 'Unknown or inactive client', 400, false));
  if (!requestUri.startsWith(REQUEST_URI_PREFIX) || requestUri.length > 200) throw refuse('The request_uri is not one of this server');
  const pushed = await deps.repos.pushedRequests.take(credentialDigest(requestUri.slice(REQUEST_URI_PREFIX.length)), client.id);
  if (!pushed) throw refuse('The request_uri is unknown, already used or issued to another client');
  if (pushed.expiresAt <= deps.clock.now()) throw refuse('The request_uri has expired');
  return pushed.parameters;
}

/** The seal the login form carries for a resolved pushed request (see {@link PushedRequestSeals}). */
export function sealPushedRequest(params: Record<string, string>, deps: Pick<PushedAuthorizationDeps, 'seals' | 'clock'>): string {
  return deps.seals.seal(params, new Date(deps.clock.now().getTime() + SEAL_SECONDS * 1000));
}
