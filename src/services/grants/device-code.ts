import { credentialDigest } from '../../crypto/digest.js';
import type { Client } from '../../domain/client.js';
import { AuthorizationPending, ExpiredToken, InvalidClient, InvalidGrant, InvalidRequest, OAuthError, SlowDown, UnauthorizedClient } from '../../protocol/errors.js';
import { parseScope } from '../../protocol/scope.js';
import { DEVICE_CODE_GRANT_TYPE } from '../device/device-flow.js';
import type { GrantDeps, TokenRequest, TokenResponse } from '../token-request.js';
import { mayHaveRefreshToken } from './authorization-code.js';
import { activeUser, dpopBinding, issueForLogin } from './shared.js';

/** RFC 8628 §3.5: how much the interval rises with each `slow_down`. */
const SLOW_DOWN_SECONDS = 5;

/**
 * RFC 8628 §3.4–3.5: the device polls with its device code. Until the user answers it gets
 * `authorization_pending`; faster than the interval, `slow_down` (the interval, kept per device
 * code in the database, rises by 5 s); a denial is `access_denied`, an expired code
 * `expired_token`; an approval yields tokens once (single use, decided by the database).
 */
export async function exchangeDeviceCode(request: TokenRequest, client: Client | undefined, deps: GrantDeps): Promise<TokenResponse> {
  if (!request.deviceCode) throw new InvalidRequest('device_code is required for the device_code grant');
  if (!client) throw new InvalidClient('client_id is required');
  if (!client.grantTypes.includes(DEVICE_CODE_GRANT_TYPE)) throw new UnauthorizedClient('The client may not use this grant type');

  const now = deps.clock.now();
  const stored = await deps.repos.deviceCodes.findByDeviceCode(credentialDigest(request.deviceCode));
  if (!stored || stored.clientId !== client.id) throw new InvalidGrant('Invalid device code');
  if (stored.status === 'consumed') throw new InvalidGrant('The device code was already used');
  if (stored.expiresAt <= now) throw new ExpiredToken();
  if (!(await deps.repos.deviceCodes.takePollSlot(stored.id, now, SLOW_DOWN_SECONDS))) throw new SlowDown();
  if (stored.status === 'denied') throw new OAuthError('access_denied', 'The user denied the authorization request', 400, false);
  if (stored.status === 'pending') throw new AuthorizationPending();

  const approved = await deps.repos.deviceCodes.consume(stored.id);
  if (!approved) throw new InvalidGrant('The device code was already used');
  const user = await activeUser(deps, approved.userId);
  const scopes = parseScope(approved.scope);
  return issueForLogin(request, deps, {
    user,
    client,
    scopes,
    grantId: approved.id,
    nonce: null,
    authTime: approved.authTime,
    sid: approved.sid,
    grant: DEVICE_CODE_GRANT_TYPE,
    // OIDC Core §11 holds here as at the code grant: an `openid` login gets a refresh token only with offline_access.
    withRefreshToken: client.grantTypes.includes('refresh_token') && mayHaveRefreshToken(scopes),
    ...dpopBinding(request, client),
  });
}
