import type { PasswordHasher } from '../../crypto/password-hasher.js';
import type { User, UserPatch } from '../../domain/user.js';
import { ConflictError } from '../../repositories/errors.js';
import type { Repositories } from '../../repositories/repositories.js';
import type { Clock } from '../../repositories/ports.js';
import { badRequest, DetailError, notFound } from './detail-error.js';

/** What the users and auth routers need. */
export interface UserServiceDeps {
  repos: Repositories;
  passwords: PasswordHasher;
  clock: Clock;
}

/** `POST {P}/users/` body, already schema-checked (spec §3.5). */
export interface Registration {
  username: string;
  email: string;
  password: string;
}

/** `PUT {P}/users/{id}` body: only present keys are applied (spec §3.5). */
export interface UserUpdate {
  username?: string;
  email?: string;
  password?: string;
  is_admin?: boolean;
}

/**
 * Users router and auth router use cases (spec §3.4, §3.5). Password rules here are length
 * only (spec §5.4), checked by the route schemas; hashing is argon2id (spec §8.3).
 */
export class UserService {
  readonly #deps: UserServiceDeps;

  constructor(deps: UserServiceDeps) {
    this.#deps = deps;
  }

  /** Self-registration: active, unverified, never admin (spec §3.5). */
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

  /** Newest first (spec §3.5). */
  async list(skip: number, limit: number): Promise<User[]> {
    const page = await this.#deps.repos.users.list({ offset: skip, limit, sortBy: 'created_at', sortOrder: 'desc' });
    return page.users;
  }

  /** Applies the present keys; nulls were dropped by the route (spec D9: never a 500). */
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
    return this.#write(id, patch);
  }

  /** Hard delete; tokens and codes go by foreign-key cascade (spec §3.5). */
  async delete(id: string): Promise<void> {
    if (!(await this.#deps.repos.users.delete(id))) throw notFound('User not found');
  }

  /** Marks the user verified, so the password grant accepts them (spec §3.5). */
  async verify(id: string): Promise<User> {
    await this.get(id);
    return this.#write(id, { isVerified: true });
  }

  async #write(id: string, patch: UserPatch): Promise<User> {
    try {
      const updated = await this.#deps.repos.users.update(id, patch);
      if (!updated) throw notFound('User not found');
      return updated;
    } catch (error) {
      if (error instanceof ConflictError) throw badRequest(/email/i.test(error.constraint ?? error.message) ? 'Email already registered' : 'Username already taken');
      throw error;
    }
  }

  /**
   * `POST {P}/auth/logout` (spec §3.4): the presented token, then every other live token of the
   * user. Counts the tokens this call invalidated (Authly's cumulative count, Q19, is not kept).
   */
  async logout(user: User, jti: string): Promise<{ message: string; invalidated_tokens: number }> {
    const now = this.#deps.clock.now();
    const own = (await this.#deps.repos.tokens.invalidate(jti, now)) ? 1 : 0;
    const rest = await this.#deps.repos.tokens.invalidateByUser(user.id, now);
    const count = own + rest;
    if (count === 0) return { message: 'No active sessions found to logout', invalidated_tokens: 0 };
    return { message: 'Successfully logged out', invalidated_tokens: count };
  }

  /** `POST {P}/auth/change-password` (spec §3.4); existing tokens stay valid, as in Authly. */
  async changePassword(user: User, current: string, next: string): Promise<{ message: string; requires_password_change: false }> {
    const check = await this.#deps.passwords.verify(current, user.passwordHash);
    if (!check.ok) throw new DetailError(401, 'Current password is incorrect');
    if (current === next) throw badRequest('New password must be different from current password');
    const passwordHash = await this.#deps.passwords.hash(next);
    await this.#write(user.id, { passwordHash, requiresPasswordChange: false });
    return { message: 'Password successfully changed', requires_password_change: false };
  }
}
