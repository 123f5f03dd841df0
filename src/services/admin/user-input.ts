import type { Address, NewUser, UserPatch } from '../../domain/user.js';

/** The OIDC profile fields an admin may set, Authly's names. */
export interface ProfileInput {
  given_name?: string | null;
  family_name?: string | null;
  middle_name?: string | null;
  nickname?: string | null;
  preferred_username?: string | null;
  profile?: string | null;
  picture?: string | null;
  website?: string | null;
  gender?: string | null;
  birthdate?: string | null;
  zoneinfo?: string | null;
  locale?: string | null;
  phone_number?: string | null;
  phone_number_verified?: boolean | null;
  address?: Address | null;
}

/** `POST /admin/users` body after schema checks. */
export interface AdminUserCreateInput extends ProfileInput {
  username: string;
  email: string;
  password?: string | null;
  generate_temp_password?: boolean;
  is_active?: boolean | null;
  is_verified?: boolean | null;
  is_admin?: boolean | null;
  requires_password_change?: boolean | null;
}

/** `PUT /admin/users/{id}` body: all optional; nulls are dropped. */
export type AdminUserUpdateInput = Omit<AdminUserCreateInput, 'generate_temp_password' | 'username' | 'email'> & {
  username?: string | null;
  email?: string | null;
};

const FIELDS = {
  username: 'username',
  email: 'email',
  is_active: 'isActive',
  is_verified: 'isVerified',
  is_admin: 'isAdmin',
  requires_password_change: 'requiresPasswordChange',
  given_name: 'givenName',
  family_name: 'familyName',
  middle_name: 'middleName',
  nickname: 'nickname',
  preferred_username: 'preferredUsername',
  profile: 'profile',
  picture: 'picture',
  website: 'website',
  gender: 'gender',
  birthdate: 'birthdate',
  zoneinfo: 'zoneinfo',
  locale: 'locale',
  phone_number: 'phoneNumber',
  phone_number_verified: 'phoneNumberVerified',
  address: 'address',
} as const satisfies Record<string, keyof UserPatch>;

/** Present, non-null fields as a domain patch (null fields are dropped); no password. */
export function toUserPatch(input: AdminUserUpdateInput): UserPatch {
  const patch: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(FIELDS)) {
    const value = (input as Record<string, unknown>)[key];
    if (value !== undefined && value !== null) patch[field] = value;
  }
  return patch as UserPatch;
}

/** The create input as a new user row, the hash supplied by the caller. */
export function toNewUser(input: AdminUserCreateInput, passwordHash: string, requiresPasswordChange: boolean): NewUser {
  return {
    ...(toUserPatch(input) as Omit<NewUser, 'passwordHash'>),
    username: input.username,
    email: input.email,
    passwordHash,
    isActive: input.is_active ?? true,
    isVerified: input.is_verified ?? false,
    isAdmin: input.is_admin ?? false,
    requiresPasswordChange,
  };
}
