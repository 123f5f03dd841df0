import type { User } from '../domain/user.js';
import { InvalidGrant } from '../protocol/errors.js';

/** Why an account may hold no tokens and no browser session, as the password grant words it. */
export type AccountProblem = 'Account is deactivated' | 'Account not verified';

/**
 * The one rule every path that issues or honours a credential applies (password grant, login
 * form, code exchange, refresh, bearer use, introspection, browser sessions): the account must
 * be active and verified. `undefined` when it may.
 */
export function accountProblem(user: Pick<User, 'isActive' | 'isVerified'>): AccountProblem | undefined {
  if (!user.isActive) return 'Account is deactivated';
  if (!user.isVerified) return 'Account not verified';
  return undefined;
}

/** {@link accountProblem} for grants: RFC 6749 §5.2 `invalid_grant` with the reason. */
export function requireAccountInGoodStanding(user: User): User {
  const problem = accountProblem(user);
  if (problem) throw new InvalidGrant(problem);
  return user;
}
