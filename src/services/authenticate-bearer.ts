import type { User } from '../domain/user.js';
import type { Repositories } from '../repositories/repositories.js';
import type { Clock } from '../repositories/ports.js';
import { InvalidToken } from '../protocol/errors.js';
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

/**
 * RFC 6750 §2.1: validates `Authorization: Bearer <access token>` against signature, expiry and
 * the tokens table (a revocation is seen at once), then its holder: a deactivated or
 * unverified user, or a deactivated client, makes the token worthless. `is_admin` and the other
 * flags come from this fresh read, never from the token. Throws `InvalidToken` (401).
 */
export async function authenticateBearer(
  authorization: string | undefined,
  deps: { repos: Repositories; signers: TokenSigners; clock: Clock },
): Promise<BearerPrincipal> {
  const match = authorization ? /^bearer\s+(\S+)\s*$/i.exec(authorization) : null;
  if (!match?.[1]) throw new InvalidToken('Not authenticated', { headers: { 'WWW-Authenticate': 'Bearer' } });
  const live = await inspectTokenOfKind(match[1], 'access', deps);
  if (!live) throw new InvalidToken('Could not validate credentials');
  const holder = await tokenHolder(live.record, deps.repos);
  if (!holder) throw new InvalidToken('Could not validate credentials');
  return { token: live, user: holder.user, scopes: (live.record.scope ?? '').split(' ').filter(Boolean) };
}
