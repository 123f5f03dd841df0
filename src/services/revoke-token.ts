import type { ClientSecrets } from '../crypto/client-secret.js';
import type { Repositories } from '../repositories/repositories.js';
import type { Clock } from '../repositories/ports.js';
import { authenticateClient, type PresentedClientCredentials } from './authenticate-client.js';
import { inspectToken } from './inspect-token.js';
import type { TokenSigners } from './token-issuer.js';

/** Authly's success body (spec §3.3.5), sent for known and unknown tokens alike. */
export const REVOCATION_PROCESSED = { message: 'Token revocation processed successfully' } as const;

/**
 * RFC 7009 §2.1–2.2: revokes the token if it is ours and live; answers the same either way, so
 * the endpoint reveals nothing about unknown tokens. A client that presents credentials must
 * authenticate (spec D5) and may revoke only its own tokens.
 */
export async function revokeToken(
  input: { token: string; hint: string | undefined; credentials: PresentedClientCredentials },
  deps: { repos: Repositories; signers: TokenSigners; clock: Clock; secrets: ClientSecrets },
): Promise<typeof REVOCATION_PROCESSED> {
  const client = await authenticateClient(input.credentials, { clients: deps.repos.clients, secrets: deps.secrets });
  const live = await inspectToken(input.token, input.hint, deps);
  if (!live) return REVOCATION_PROCESSED;
  const { record } = live;
  // RFC 7009 §2.1: the server verifies the token was issued to the requesting client.
  if (client && record.clientId !== null && record.clientId !== client.id) return REVOCATION_PROCESSED;
  const now = deps.clock.now();
  await deps.repos.tokens.invalidate(record.jti, now);
  // RFC 7009 §2.1 "SHOULD also invalidate all access tokens based on the same authorization
  // grant"; Authly revokes every access token of the user (spec §4.6). We revoke the family.
  if (live.kind === 'refresh') {
    if (record.grantId) await deps.repos.tokens.invalidateByGrant(record.grantId, now);
    else if (record.userId) await deps.repos.tokens.invalidateByUser(record.userId, now, 'access');
  }
  return REVOCATION_PROCESSED;
}
