import type { PasswordHasher } from '../../crypto/password-hasher.js';
import type { RandomSource } from '../../crypto/random.js';
import type { User } from '../../domain/user.js';
import { ConflictError } from '../../repositories/errors.js';
import type { Repositories } from '../../repositories/repositories.js';
import type { Clock } from '../../repositories/ports.js';
import { badRequest, notFound } from '../users/detail-error.js';
import { applyUserPatch, endUserSessions } from '../users/end-sessions.js';
import { generatePassword, TEMPORARY_PASSWORD } from '../users/password-rules.js';
import { toAdminUserResponse, type AdminUserResponse } from '../users/user-views.js';
import { toNewUser, toUserPatch, type AdminUserCreateInput, type AdminUserUpdateInput } from './user-input.js';
import { listUsers, type AdminUserList, type AdminUserListInput } from './user-list.js';
import { adminCount, checkAdminUserInput } from './user-rules.js';

/** What user administration needs. */
export interface UserAdminDeps {
  repos: Repositories;
  passwords: PasswordHasher;
  clock: Clock;
  random: RandomSource;
}

/** `POST .../reset-password` answer. */
export interface PasswordReset {
  user_id: string;
  username: string;
  temporary_password: string;
  requires_password_change: true;
  invalidated_sessions: number;
  message: string;
}

const LAST_ADMIN = 'Cannot remove admin privileges from or delete the last admin user';

/** User administration. Passwords follow the admin strength rule. */
export class UserAdmin {
  readonly #deps: UserAdminDeps;

  constructor(deps: UserAdminDeps) {
    this.#deps = deps;
  }

  list(input: AdminUserListInput): Promise<AdminUserList> {
    return listUsers(input, this.#deps);
  }

  async get(id: string): Promise<AdminUserResponse> {
    return this.#view(await this.#find(id));
  }

  /** Exactly one of `password` / `generate_temp_password`; 201 with the temporary password. */
  async create(input: AdminUserCreateInput): Promise<AdminUserResponse & { temporary_password: string | null }> {
    const hasPassword = input.password !== undefined && input.password !== null;
    if (hasPassword && input.generate_temp_password) throw badRequest('Cannot specify both password and generate_temp_password');
    if (!hasPassword && !input.generate_temp_password) throw badRequest('Either password must be provided or generate_temp_password must be true');
    await checkAdminUserInput({ username: input.username, email: input.email, password: input.password ?? undefined }, this.#deps.repos);
    const temporary = input.generate_temp_password ? generatePassword(this.#deps.random, TEMPORARY_PASSWORD) : null;
    const passwordHash = await this.#deps.passwords.hash(temporary ?? input.password ?? '');
    const user = await this.#write(() => this.#deps.repos.users.create(toNewUser(input, passwordHash, temporary !== null || (input.requires_password_change ?? false))));
    return { ...toAdminUserResponse(user, 0), temporary_password: temporary };
  }

  /**
   * Nulls dropped; self-demotion and losing the last admin are refused. Deactivating,
   * un-verifying, demoting or setting a password ends the user's tokens and browser sessions
   * in the same call.
   */
  async update(id: string, input: AdminUserUpdateInput, actor: User): Promise<AdminUserResponse> {
    const patch = toUserPatch(input);
    const password = input.password ?? undefined;
    if (Object.keys(patch).length === 0 && password === undefined) throw badRequest('No fields provided for update');
    const user = await this.#find(id);
    await checkAdminUserInput({ username: patch.username, email: patch.email, password }, this.#deps.repos, user);
    if (user.isAdmin && patch.isAdmin === false) {
      if (user.id === actor.id) throw badRequest('Admin users cannot revoke their own admin privileges for security reasons');
      if ((await adminCount(this.#deps.repos)) <= 1) throw badRequest('This operation would leave the system without any admin users');
    }
    if (password !== undefined) patch.passwordHash = await this.#deps.passwords.hash(password);
    const updated = await this.#write(() => applyUserPatch(this.#deps.repos, user, patch, this.#deps.clock.now()));
    if (!updated) throw notFound('User not found');
    return this.#view(updated);
  }

  /** Invalidates the tokens, then deletes; codes and tokens go by cascade. */
  async delete(id: string): Promise<void> {
    const user = await this.#find(id);
    if (user.isAdmin && (await adminCount(this.#deps.repos)) <= 1) throw badRequest(LAST_ADMIN);
    await this.#deps.repos.tokens.invalidateByUser(id, this.#deps.clock.now());
    if (!(await this.#deps.repos.users.delete(id))) throw notFound('User not found');
  }

  /**
   * A temporary password that must be changed. Every token of the user (access and refresh: a
   * stolen refresh token must not outlive the reset) and every browser session ends with it;
   * `invalidated_sessions` counts the access tokens revoked, as Authly counted them.
   */
  async resetPassword(id: string): Promise<PasswordReset> {
    const user = await this.#find(id);
    const temporary = generatePassword(this.#deps.random, TEMPORARY_PASSWORD);
    const patch = { passwordHash: await this.#deps.passwords.hash(temporary), requiresPasswordChange: true };
    const { user: updated, revokedAccessTokens: invalidated } = await endUserSessions(this.#deps.repos, id, patch, this.#deps.clock.now());
    if (!updated) throw notFound('User not found');
    return {
      user_id: user.id,
      username: user.username,
      temporary_password: temporary,
      requires_password_change: true,
      invalidated_sessions: invalidated,
      message: 'Password reset successfully. User must change password on next login.',
    };
  }

  async #find(id: string): Promise<User> {
    const user = await this.#deps.repos.users.findById(id);
    if (!user) throw notFound('User not found');
    return user;
  }

  async #view(user: User): Promise<AdminUserResponse> {
    const sessions = await this.#deps.repos.users.activeSessionCounts([user.id], this.#deps.clock.now());
    return toAdminUserResponse(user, sessions.get(user.id) ?? 0);
  }

  /** A lost race on a unique name or address is the same 400 as the pre-check gives. */
  async #write<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      throw badRequest(/email/i.test(error.constraint ?? error.message) ? 'Email already exists' : 'Username already exists');
    }
  }
}
