import type { CredentialLookup, NewUser, User, UserCounts, UserCredentials, UserListQuery, UserPage, UserPatch } from '../domain/user.js';

/** Options of {@link UserRepository.update}. */
export interface UserUpdateOptions {
  /**
   * Raises `session_epoch` by one in the same statement (`session_epoch = session_epoch + 1`),
   * so every browser session issued before it ends, even against a concurrent update.
   */
  endSessions?: boolean;
}

/** Users. Lookups by username and email ignore case. */
export interface UserRepository {
  /** Creates a user; throws `ConflictError` when the username or email is taken. */
  create(input: NewUser): Promise<User>;
  findById(id: string): Promise<User | undefined>;
  /** Case-insensitive: `Alice` finds `alice`. */
  findByUsername(username: string): Promise<User | undefined>;
  /** Case-insensitive. */
  findByEmail(email: string): Promise<User | undefined>;
  /**
   * The user with its password hash, always read from the database: a decorator must pass it
   * through and never keep the hash (the only path a hash leaves storage by).
   */
  findCredentials(lookup: CredentialLookup): Promise<UserCredentials | undefined>;
  /**
   * Users other than `exceptId` whose `username` or `preferred_username` equals one of `names`,
   * ignoring case as `lower()` does. At most `limit` rows.
   */
  findByDisplayNames(names: readonly string[], exceptId: string, limit: number): Promise<User[]>;
  /** Applies the patch; `undefined` when no such user. Throws `ConflictError` on a taken username/email. */
  update(id: string, patch: UserPatch, options?: UserUpdateOptions): Promise<User | undefined>;
  /**
   * Records a successful sign-in: sets `last_login` to `at` (and `updated_at`), reading nothing
   * back. A login patches no name, so only the row itself goes stale in a cache, not its pointers.
   */
  recordLogin(id: string, at: Date): Promise<void>;
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
