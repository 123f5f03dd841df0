import type { User } from '../domain/user.js';
import type { PasswordHasher } from '../crypto/password-hasher.js';
import type { Repositories } from '../repositories/repositories.js';
import { InvalidGrant } from '../protocol/errors.js';
import { requireAccountInGoodStanding } from './account-standing.js';

/** A password hash that verifies nothing, so unknown users cost as much time as known ones. */
const DUMMY_ARGON2 = '$argon2id$v=19$m=19456,t=2,p=1$RC1wxZSRjtNMKX2kuw4tQg$ajt8Jmkel4o5OdqO8D32nJ8rbac40tHcYr+GzeAtVKI';

/**
 * Checks a username and password and that the account may log in
 * (active and verified, the same rule for the password grant and the login form). Messages do
 * not tell an unknown user from a wrong password; the hash is read uncached from the database;
 * imported bcrypt hashes are upgraded to argon2id on success.
 */
export async function verifyUserPassword(
  username: string,
  password: string,
  deps: { repos: Repositories; passwords: PasswordHasher },
): Promise<User> {
  const found = await deps.repos.users.findCredentials({ username });
  const check = await deps.passwords.verify(password, found?.passwordHash ?? DUMMY_ARGON2);
  if (!found || !check.ok) throw new InvalidGrant('Incorrect username or password');
  const user = requireAccountInGoodStanding(found.user);
  if (check.needsRehash) {
    await deps.repos.users.update(user.id, { passwordHash: await deps.passwords.hash(password) });
  }
  return user;
}
