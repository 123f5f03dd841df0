import type { User } from '../domain/user.js';
import type { PasswordHasher } from '../crypto/password-hasher.js';
import type { Repositories } from '../repositories/repositories.js';
import type { AuditLog } from '../audit/audit-log.js';
import { InvalidGrant } from '../protocol/errors.js';
import { accountProblem, requireAccountInGoodStanding } from './account-standing.js';

/** A password hash that verifies nothing, so unknown users cost as much time as known ones. */
const DUMMY_ARGON2 = '$argon2id$v=19$m=19456,t=2,p=1$RC1wxZSRjtNMKX2kuw4tQg$ajt8Jmkel4o5OdqO8D32nJ8rbac40tHcYr+GzeAtVKI';

/** Where a login came from, for the audit record. */
export interface LoginContext {
  method: 'password_grant' | 'login_form';
  /** The public `client_id` the login is for, if any. */
  clientId: string | null;
}

/**
 * Checks a username and password and that the account may log in
 * (active and verified, the same rule for the password grant and the login form). Messages do
 * not tell an unknown user from a wrong password; the hash is read uncached from the database;
 * imported bcrypt hashes are upgraded to argon2id on success. Success and failure are audit
 * events (`login.succeeded`, `login.failed`); the password is never part of them.
 */
export async function verifyUserPassword(
  username: string,
  password: string,
  deps: { repos: Repositories; passwords: PasswordHasher; audit?: AuditLog },
  context: LoginContext = { method: 'password_grant', clientId: null },
): Promise<User> {
  const found = await deps.repos.users.findCredentials({ username });
  const check = await deps.passwords.verify(password, found?.passwordHash ?? DUMMY_ARGON2);
  const failed = (reason: string, userId: string | null) =>
    deps.audit?.record({ event: 'login.failed', userId, clientId: context.clientId, details: { method: context.method, username, reason } });
  if (!found || !check.ok) {
    failed(found ? 'wrong_password' : 'unknown_user', found?.user.id ?? null);
    throw new InvalidGrant('Incorrect username or password');
  }
  const problem = accountProblem(found.user);
  if (problem) failed(problem === 'Account is deactivated' ? 'account_deactivated' : 'account_not_verified', found.user.id);
  const user = requireAccountInGoodStanding(found.user);
  if (check.needsRehash) {
    await deps.repos.users.update(user.id, { passwordHash: await deps.passwords.hash(password) });
  }
  deps.audit?.record({ event: 'login.succeeded', userId: user.id, clientId: context.clientId, details: { method: context.method, username: user.username } });
  return user;
}
