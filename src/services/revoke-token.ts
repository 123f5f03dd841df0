import { authenticateRequestClient, type PresentedClientCredentials } from './authenticate-client.js';
import { familyOf } from './grants/refresh-token.js';
import { inspectToken, type TokenInspectionDeps } from './inspect-token.js';

/** Authly's success body, sent for known and unknown tokens alike. */
export const REVOCATION_PROCESSED = { message: 'Token revocation processed successfully' } as const;

/**
 * RFC 7009 §2.1–2.2: revokes the token if it is live and was issued to the client making the
 * request; answers the same either way, so the endpoint reveals nothing about the token. A
 * confidential client must authenticate, a public one names itself with `client_id` (RFC 6749
 * §2.3); a token issued to no client (the password grant as Authly's CLI uses it) is revoked by a
 * request that names no client.
 */
export async function revokeToken(
  input: { token: string; hint: string | undefined; credentials: PresentedClientCredentials },
  deps: TokenInspectionDeps,
): Promise<typeof REVOCATION_PROCESSED> {
  const client = await authenticateRequestClient(input.credentials, deps);
  const live = await inspectToken(input.token, input.hint, deps);
  if (!live) return REVOCATION_PROCESSED;
  const { record } = live;
  // RFC 7009 §2.1: "the authorization server … verifies whether the token was issued to the
  // client making the revocation request. If this validation fails, the request is refused";
  // §2.2 still answers 200, so a foreign token is left alone without saying so.
  if ((record.clientId ?? null) !== (client?.id ?? null)) return REVOCATION_PROCESSED;
  const now = deps.clock.now();
  await deps.repos.tokens.invalidate(record.jti, now);
  // RFC 7009 §2.1: revoking a refresh token "SHOULD also invalidate all access tokens based on
  // the same authorization grant". The family is revoked for good, so a rotation racing this
  // request cannot keep it alive. An Authly token has no recorded family: its user's access
  // tokens go too, as Authly revoked them.
  if (live.kind === 'refresh') {
    await deps.repos.tokens.revokeFamily(familyOf(record), now);
    if (!record.grantId && record.userId) await deps.repos.tokens.invalidateByUser(record.userId, now, 'access');
  }
  deps.audit?.record({ event: 'token.revoked', userId: record.userId, clientId: client?.clientId ?? null, details: { token_type: live.kind, grant_id: record.grantId } });
  return REVOCATION_PROCESSED;
}
