import type { PasswordHasher } from '../../crypto/password-hasher.js';
import type { User, UserPatch } from '../../domain/user.js';
import { ConflictError } from '../../repositories/errors.js';
import type { Repositories } from '../../repositories/repositories.js';
import type { Clock } from '../../repositories/ports.js';
import type { LoginThrottle } from '../login-throttle.js';
import { badRequest, DetailError, notFound } from './detail-error.js';
import { applyUserPatch, endUserSessions } from './end-sessions.js';

/** What the users and auth routers need. */
export interface UserServiceDeps {
  repos: Repositories;
  passwords: PasswordHasher;
  clock: Clock;
  /** Change-password checks a password, so it runs under the login throttle. */
  throttle: LoginThrottle;
}

/** The 401 of a wrong current password: what the throttle counts as a failed attempt. */
function isWrongCurrentPassword(error: unknown): boolean {
  return error instanceof DetailError && error.status === 401;
}

/** `POST {P}/users/` body, already schema-checked. */
export interface Registration {
  username: string;
  email: string;
  password: string;
}

/** `PUT {P}/users/{id}` body: only present keys are applied. */
export interface UserUpdate {
  username?: string;
  email?: string;
  password?: string;
  is_admin?: boolean;
}

/**
 * Users router and auth router use cases. Password rules here are length
 * only, checked by the route schemas; hashing is argon2id.
 */
export class UserService {
  readonly #deps: UserServiceDeps;

  constructor(deps: UserServiceDeps) {
    this.#deps = deps;
  }

  /** Self-registration: active, unverified, never admin. */
  async register(input: Registration): Promise<User> {
    const { users } = this.#deps.repos;
    if (await users.findByUsername(input.username)) throw badRequest('Username already registered');
    if (await users.findByEmail(input.email)) throw badRequest('Email already registered');
    const passwordHash = await this.#deps.passwords.hash(input.password);
    try {
      return await users.create({ username: input.username, email: input.email, passwordHash, isActive: true, isVerified: false, isAdmin: false });
    } catch (error) {
      // A concurrent registration won the race for the name or address.
      if (error instanceof ConflictError) throw badRequest(/email/i.test(error.constraint ?? error.message) ? 'Email already registered' : 'Username already registered');
      throw error;
    }
  }

  /** A user by id, or 404 `User not found`. */
  async get(id: string): Promise<User> {
    const user = await this.#deps.repos.users.findById(id);
    if (!user) throw notFound('User not found');
    return user;
  }

  /** Newest first. */
  async list(skip: number, limit: number): Promise<User[]> {
    const page = await this.#deps.repos.users.list({ offset: skip, limit, sortBy: 'created_at', sortOrder: 'desc' });
    return page.users;
  }

  /**
   * Applies the present keys; nulls were dropped by the route (a null never ends in a 500). Demoting
   * an admin or setting a password ends the user's tokens and browser sessions in the same call.
   */
  async update(id: string, input: UserUpdate): Promise<User> {
    const { users } = this.#deps.repos;
    const user = await this.get(id);
    const patch: UserPatch = {};
    if (input.username !== undefined && input.username.toLowerCase() !== user.username.toLowerCase()) {
      if (await users.findByUsername(input.username)) throw badRequest('Username already taken');
    }
    if (input.email !== undefined && input.email.toLowerCase() !== user.email.toLowerCase()) {
      if (await users.findByEmail(input.email)) throw badRequest('Email already registered');
    }
    if (input.username !== undefined) patch.username = input.username;
    if (input.email !== undefined) patch.email = input.email;
    if (input.is_admin !== undefined) patch.isAdmin = input.is_admin;
    if (input.password !== undefined) patch.passwordHash = await this.#deps.passwords.hash(input.password);
    return this.#write(() => applyUserPatch(this.#deps.repos, user, patch, this.#deps.clock.now()));
  }

  /** Hard delete; tokens and codes go by foreign-key cascade. */
  async delete(id: string): Promise<void> {
    if (!(await this.#deps.repos.users.delete(id))) throw notFound('User not found');
  }

  /** Marks the user verified, so the password grant accepts them. */
  async verify(id: string): Promise<User> {
    await this.get(id);
    return this.#write(() => this.#deps.repos.users.update(id, { isVerified: true }));
  }

  async #write(run: () => Promise<User | undefined>): Promise<User> {
    try {
      const updated = await run();
      if (!updated) throw notFound('User not found');
      return updated;
    } catch (error) {
      if (error instanceof ConflictError) throw badRequest(/email/i.test(error.constraint ?? error.message) ? 'Email already registered' : 'Username already taken');
      throw error;
    }
  }

  /**
   * `POST {P}/auth/logout`: the presented token, then every other live token of the
   * user, and every browser session of the user (the session epoch rises). Counts the tokens this
   * call invalidated (Authly's cumulative count is not kept).
   */
  async logout(user: User, jti: string): Promise<{ message: string; invalidated_tokens: number }> {
    const now = this.#deps.clock.now();
    const own = (await this.#deps.repos.tokens.invalidate(jti, now)) ? 1 : 0;
    const { revokedTokens } = await endUserSessions(this.#deps.repos, user.id, {}, now);
    const count = own + revokedTokens;
    if (count === 0) return { message: 'No active sessions found to logout', invalidated_tokens: 0 };
    return { message: 'Successfully logged out', invalidated_tokens: count };
  }

  /**
   * `POST {P}/auth/change-password`, under the login throttle keyed on the caller's
   * account and address (a wrong current password counts as a failed login; a locked account is
   * 429). Unlike Authly, a new password ends every token of the user, the presented one included,
   * and every browser session: whoever stole a credential loses it, and the client logs in again
   * with the new password. The answer keeps Authly's shape.
   */
  async changePassword(user: User, current: string, next: string, ip: string): Promise<{ message: string; requires_password_change: false }> {
    const change = async () => {
      // The hash is read from the database, never from the (cached) principal.
      const found = await this.#deps.repos.users.findCredentials({ id: user.id });
      const check = await this.#deps.passwords.verify(current, found?.passwordHash ?? '');
      if (!found || !check.ok) throw new DetailError(401, 'Current password is incorrect');
      if (current === next) throw badRequest('New password must be different from current password');
      const passwordHash = await this.#deps.passwords.hash(next);
      await this.#write(async () => (await endUserSessions(this.#deps.repos, user.id, { passwordHash, requiresPasswordChange: false }, this.#deps.clock.now())).user);
    };
    await this.#deps.throttle.guard({ ip, account: user.username }, change, { isFailure: isWrongCurrentPassword });
    return { message: 'Password successfully changed', requires_password_change: false };
  }
}
