import { InvalidClient } from '../protocol/errors.js';
import { authenticateRequestClient, type PresentedClientCredentials } from './authenticate-client.js';
import { inspectToken, type TokenInspectionDeps } from './inspect-token.js';
import { tokenHolder } from './token-holder.js';
import { confirmedKey } from './dpop/confirmation.js';

/** RFC 7662 §2.2 response; members without a value are omitted. */
export type IntrospectionResponse =
  | { active: false }
  | {
      active: true;
      scope: string;
      client_id?: string;
      username?: string;
      token_type: 'Bearer' | 'DPoP' | 'refresh_token';
      exp: number;
      iat: number;
      sub: string;
      aud?: string | string[];
      iss?: string;
      jti: string;
      /** RFC 9449 §6.2: the key a DPoP-bound token is bound to. */
      cnf?: { jkt: string };
    };

/** What introspection needs. */
export interface IntrospectDeps extends TokenInspectionDeps {
  /** `tokens.introspection_requires_client_auth`: `false` reopens the endpoint as Authly had it. */
  requireClientAuth: boolean;
}

const INACTIVE = { active: false } as const;

/**
 * RFC 7662: revoked, expired, unknown or foreign tokens are all `{"active": false}`. The caller
 * must be a confidential client that authenticates (§2.1: the protected resource authenticates,
 * and §4: otherwise anyone could probe tokens); without one the answer is `401 invalid_client`
 * (§2.3). With the setting off, anyone may ask, but credentials that are presented must be valid.
 */
export async function introspectToken(
  input: { token: string; hint: string | undefined; credentials: PresentedClientCredentials },
  deps: IntrospectDeps,
): Promise<IntrospectionResponse> {
  const client = await authenticateRequestClient(input.credentials, deps);
  if (deps.requireClientAuth) {
    if (!client) throw new InvalidClient('Client authentication required');
    // A public client holds no secret, so nothing proves the caller is that client.
    if (client.clientType !== 'confidential' || client.tokenEndpointAuthMethod === 'none') {
      throw new InvalidClient('Only confidential clients may introspect tokens');
    }
  }
  const live = await inspectToken(input.token, input.hint, deps);
  if (!live) return INACTIVE;
  const { claims, record } = live;
  // A token of a deactivated or unverified user, or of a deactivated client, is not active.
  const holder = await tokenHolder(record, deps.repos);
  if (!holder) return INACTIVE;
  const { user } = holder;
  const jkt = confirmedKey(claims);
  return {
    active: true,
    scope: record.scope ?? '',
    ...(typeof claims.client_id === 'string' ? { client_id: claims.client_id } : {}),
    ...(user ? { username: user.username } : {}),
    token_type: live.kind === 'access' ? (jkt ? 'DPoP' : 'Bearer') : 'refresh_token',
    exp: Number(claims.exp),
    iat: Number(claims.iat),
    sub: String(claims.sub),
    ...(claims.aud !== undefined ? { aud: claims.aud } : {}),
    ...(typeof claims.iss === 'string' ? { iss: claims.iss } : {}),
    jti: record.jti,
    ...(jkt ? { cnf: { jkt } } : {}),
  };
}
