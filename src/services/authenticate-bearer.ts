import type { User } from '../domain/user.js';
import type { Repositories } from '../repositories/repositories.js';
import type { Clock } from '../repositories/ports.js';
import { InvalidToken, OAuthError } from '../protocol/errors.js';
import { confirmedKey } from './dpop/confirmation.js';
import type { DpopVerifier } from './dpop/dpop-verifier.js';
import { inspectTokenOfKind, type LiveToken } from './inspect-token.js';
import { tokenHolder } from './token-holder.js';
import type { TokenSigners } from './token-issuer.js';

/** The caller behind a valid bearer access token. */
export interface BearerPrincipal {
  token: LiveToken;
  /** `undefined` for client_credentials tokens. */
  user: User | undefined;
  scopes: string[];
}

/** A protected-resource request as far as its access token goes: the headers and what a DPoP proof must name. */
export interface AccessTokenPresentation {
  authorization: string | undefined;
  /** The `DPoP` header (RFC 9449 §7). */
  dpop: string | string[] | undefined;
  method: string;
  /** The request URI without query (the proof's `htu`). */
  url: string;
}

/**
 * What a caller presents: the full request, or only the `Authorization` header (a DPoP-bound
 * token then cannot be accepted, since no proof can be checked).
 */
export type PresentedAccessToken = AccessTokenPresentation | string | undefined;

/** What access-token authentication needs. */
export interface BearerDeps {
  repos: Repositories;
  signers: TokenSigners;
  clock: Clock;
  dpop?: DpopVerifier;
}

const SCHEME = /^(bearer|dpop)\s+(\S+)\s*$/i;

/**
 * RFC 6750 §2.1 and RFC 9449 §7: validates `Authorization: Bearer <token>` or `Authorization:
 * DPoP <token>` against signature, expiry and the tokens table (a revocation is seen at once),
 * then its holder: a deactivated or unverified user, or a deactivated client, makes the token
 * worthless. A token bound to a DPoP key (`cnf.jkt`) is accepted only with the DPoP scheme and a
 * valid proof of that key for this request, whose `ath` is the token's hash; as a Bearer token it
 * is refused (RFC 9449 §7.2). Throws `InvalidToken` or `invalid_dpop_proof` (401) with a
 * `WWW-Authenticate` challenge.
 */
export async function authenticateBearer(presented: PresentedAccessToken, deps: BearerDeps): Promise<BearerPrincipal> {
  const request = typeof presented === 'object' ? presented : undefined;
  const authorization = typeof presented === 'object' ? presented.authorization : presented;
  const match = authorization ? SCHEME.exec(authorization) : null;
  if (!match?.[2]) throw new InvalidToken('Not authenticated', { headers: { 'WWW-Authenticate': 'Bearer' } });
  const scheme = match[1]!.toLowerCase();
  const token = match[2];
  const live = await inspectTokenOfKind(token, 'access', deps);
  if (!live) throw new InvalidToken('Could not validate credentials');
  const jkt = confirmedKey(live.claims);
  const algs = (deps.dpop?.algorithms ?? []).join(' ');
  if (scheme === 'bearer' && jkt !== undefined) {
    throw new InvalidToken('Could not validate credentials', { headers: { 'WWW-Authenticate': `DPoP error="invalid_token", algs="${algs}"` } });
  }
  if (scheme === 'dpop') {
    if (jkt === undefined) throw new InvalidToken('Could not validate credentials', { headers: { 'WWW-Authenticate': `DPoP error="invalid_token", algs="${algs}"` } });
    await requireProof(request, token, jkt, deps, algs);
  }
  const holder = await tokenHolder(live.record, deps.repos);
  if (!holder) throw new InvalidToken('Could not validate credentials');
  return { token: live, user: holder.user, scopes: (live.record.scope ?? '').split(' ').filter(Boolean) };
}

/** RFC 9449 §7.1: a proof of the bound key for this very request, or `401 invalid_dpop_proof`. */
async function requireProof(request: AccessTokenPresentation | undefined, token: string, jkt: string, deps: BearerDeps, algs: string): Promise<void> {
  const refuse = (description: string) =>
    new OAuthError('invalid_dpop_proof', description, 401, false, { headers: { 'WWW-Authenticate': `DPoP error="invalid_dpop_proof", algs="${algs}"` } });
  if (!request || !deps.dpop) throw refuse('A DPoP proof is required');
  let proof;
  try {
    proof = await deps.dpop.verify({ proof: request.dpop, method: request.method, url: request.url, accessToken: token, endpoint: 'resource' });
  } catch (error) {
    if (error instanceof OAuthError) throw refuse(error.description);
    throw error;
  }
  if (!proof) throw refuse('A DPoP proof is required');
  if (proof.jkt !== jkt) throw refuse('The DPoP proof key does not match the access token');
}
