import type { NewUser, User, UserCounts, UserListQuery, UserPage, UserPatch } from '../domain/user.js';

/** Users (spec §7.1). Lookups by username and email ignore case. */
export interface UserRepository {
  /** Creates a user; throws `ConflictError` when the username or email is taken. */
  create(input: NewUser): Promise<User>;
  findById(id: string): Promise<User | undefined>;
  /** Case-insensitive: `Alice` finds `alice`. */
  findByUsername(username: string): Promise<User | undefined>;
  /** Case-insensitive. */
  findByEmail(email: string): Promise<User | undefined>;
  /** Applies the patch; `undefined` when no such user. Throws `ConflictError` on a taken username/email. */
  update(id: string, patch: UserPatch): Promise<User | undefined>;
  /** Deletes the user and, by cascade, its tokens and codes; `false` when no such user. */
  delete(id: string): Promise<boolean>;
  /** Admin listing with text search, filters, sort and pagination. */
  list(query: UserListQuery): Promise<UserPage>;
  /** Total and active user counts. */
  counts(): Promise<UserCounts>;
  /**
   * Active sessions (access tokens neither invalidated nor expired at `now`) per user.
   * Users without sessions are present with 0.
   */
  activeSessionCounts(userIds: readonly string[], now: Date): Promise<Map<string, number>>;
}
