import { BEARER_CHALLENGE, DetailError } from '../users/detail-error.js';
import type { UserPrincipal } from '../users/current-user.js';
import type { AdminScope } from './admin-scopes.js';

/**
 * The two layers of admin authority: the user's `is_admin` flag, then (admin
 * API only) the route's `admin:*` scope in the access token. Both failures are 403 with a
 * Bearer challenge. `is_admin` comes from the user read afresh by the bearer check, which has
 * already refused tokens of inactive or unverified users (401).
 */
export function requireAdmin(principal: UserPrincipal, scope?: AdminScope): void {
  if (!principal.user.isAdmin) {
    throw new DetailError(403, 'Administrative privileges required. User must have admin authority.', { headers: BEARER_CHALLENGE });
  }
  if (scope !== undefined && !principal.scopes.includes(scope)) {
    throw new DetailError(403, `Missing required admin scope: ${scope}`, { headers: BEARER_CHALLENGE });
  }
}
