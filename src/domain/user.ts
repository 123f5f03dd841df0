/** OIDC Core §5.1.1 address claim, stored as JSON in `users.address`. */
export interface Address {
  formatted?: string;
  street_address?: string;
  locality?: string;
  region?: string;
  postal_code?: string;
  country?: string;
}

/** The OIDC standard claims a user carries, all optional. */
export interface UserProfile {
  givenName: string | null;
  familyName: string | null;
  middleName: string | null;
  nickname: string | null;
  preferredUsername: string | null;
  profile: string | null;
  picture: string | null;
  website: string | null;
  gender: string | null;
  /** `YYYY-MM-DD` (Authly's contract): a calendar date, never a timestamp. */
  birthdate: string | null;
  zoneinfo: string | null;
  locale: string | null;
  phoneNumber: string | null;
  phoneNumberVerified: boolean | null;
  address: Address | null;
}

/**
 * A user account (the `users` table), without its password hash: that secret is read only by
 * password verification ({@link UserCredentials}), so it never reaches a cache or a view.
 */
export interface User extends UserProfile {
  id: string;
  username: string;
  email: string;
  createdAt: Date;
  updatedAt: Date;
  lastLogin: Date | null;
  isActive: boolean;
  isVerified: boolean;
  isAdmin: boolean;
  requiresPasswordChange: boolean;
  /**
   * Browser sessions of this user carry the epoch they were issued in; raising it ends every
   * one of them at once (logout, password reset or change, deactivation, demotion).
   */
  sessionEpoch: number;
}

/** A user with the stored password hash, read straight from the database for a password check. */
export interface UserCredentials {
  user: User;
  passwordHash: string;
}

/** How {@link UserCredentials} are looked up: by login name (case-insensitive) or by id. */
export type CredentialLookup = { username: string } | { id: string };

/** What a caller supplies to create a user; flags and profile default as in the schema. */
export type NewUser = Pick<User, 'username' | 'email'> & { passwordHash: string } &
  Partial<Pick<User, 'id' | 'isActive' | 'isVerified' | 'isAdmin' | 'requiresPasswordChange' | 'lastLogin'>> &
  Partial<UserProfile>;

/** Fields an update may change; `undefined` leaves a field as it is, `null` clears it. */
export type UserPatch = Partial<
  { passwordHash: string } & Pick<
    User,
    | 'username'
    | 'email'
    | 'lastLogin'
    | 'isActive'
    | 'isVerified'
    | 'isAdmin'
    | 'requiresPasswordChange'
  > &
    UserProfile
>;

/** Columns the admin listing may sort by. */
export const USER_SORT_FIELDS = ['created_at', 'updated_at', 'last_login', 'username', 'email'] as const;
/** A column the admin listing may sort by. */
export type UserSortField = (typeof USER_SORT_FIELDS)[number];

/** Admin listing query (admin API, Users): text search, filters, sort and pagination. */
export interface UserListQuery {
  /** Case-insensitive substring over username, email, given and family name. */
  search?: string;
  /** Case-insensitive substrings of single columns, all of which must match. */
  contains?: Partial<Record<'username' | 'email' | 'givenName' | 'familyName', string>>;
  /** Exact `locale` (e.g. `nb-NO`). */
  locale?: string;
  /** Exact `zoneinfo` (e.g. `Europe/Oslo`). */
  zoneinfo?: string;
  isActive?: boolean;
  isAdmin?: boolean;
  isVerified?: boolean;
  requiresPasswordChange?: boolean;
  createdAfter?: Date;
  createdBefore?: Date;
  lastLoginAfter?: Date;
  lastLoginBefore?: Date;
  sortBy?: UserSortField;
  sortOrder?: 'asc' | 'desc';
  limit: number;
  offset: number;
}

/** One page of the admin listing and the number of users matching the filters. */
export interface UserPage {
  users: User[];
  total: number;
}

/** Counts for the admin dashboard. */
export interface UserCounts {
  total: number;
  active: number;
}
