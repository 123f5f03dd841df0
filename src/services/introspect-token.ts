import type { ClientSecrets } from '../crypto/client-secret.js';
import type { Repositories } from '../repositories/repositories.js';
import type { Clock } from '../repositories/ports.js';
import { authenticateClient, type PresentedClientCredentials } from './authenticate-client.js';
import { inspectToken } from './inspect-token.js';
import { tokenHolder } from './token-holder.js';
import type { TokenSigners } from './token-issuer.js';

/** RFC 7662 §2.2 response; members without a value are omitted (spec §3.3.6). */
export type IntrospectionResponse =
  | { active: false }
  | {
      active: true;
      scope: string;
      client_id?: string;
      username?: string;
      token_type: 'Bearer' | 'refresh_token';
      exp: number;
      iat: number;
      sub: string;
      aud?: string | string[];
      iss?: string;
      jti: string;
    };

const INACTIVE = { active: false } as const;

/**
 * RFC 7662: revoked, expired, unknown or foreign tokens are all `{"active": false}` (spec D3).
 * Credentials, when presented, must be valid (spec D5).
 */
export async function introspectToken(
  input: { token: string; hint: string | undefined; credentials: PresentedClientCredentials },
  deps: { repos: Repositories; signers: TokenSigners; clock: Clock; secrets: ClientSecrets },
): Promise<IntrospectionResponse> {
  await authenticateClient(input.credentials, { clients: deps.repos.clients, secrets: deps.secrets });
  const live = await inspectToken(input.token, input.hint, deps);
  if (!live) return INACTIVE;
  const { claims, record } = live;
  // A token of a deactivated or unverified user, or of a deactivated client, is not active.
  const holder = await tokenHolder(record, deps.repos);
  if (!holder) return INACTIVE;
  const { user } = holder;
  return {
    active: true,
    scope: record.scope ?? '',
    ...(typeof claims.client_id === 'string' ? { client_id: claims.client_id } : {}),
    ...(user ? { username: user.username } : {}),
    token_type: live.kind === 'access' ? 'Bearer' : 'refresh_token',
    exp: Number(claims.exp),
    iat: Number(claims.iat),
    sub: String(claims.sub),
    ...(claims.aud !== undefined ? { aud: claims.aud } : {}),
    ...(typeof claims.iss === 'string' ? { iss: claims.iss } : {}),
    jti: record.jti,
  };
}
