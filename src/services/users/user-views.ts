import type { Address, User } from '../../domain/user.js';

/** Authly's `UserResponse`: never the password hash. */
export interface UserResponse {
  id: string;
  username: string;
  email: string;
  created_at: string;
  updated_at: string;
  last_login: string | null;
  is_active: boolean;
  is_verified: boolean;
  is_admin: boolean;
}

/** Authly's `AdminUserResponse`: the account, its OIDC profile and live session count. */
export interface AdminUserResponse extends UserResponse {
  requires_password_change: boolean;
  given_name: string | null;
  family_name: string | null;
  middle_name: string | null;
  nickname: string | null;
  preferred_username: string | null;
  profile: string | null;
  picture: string | null;
  website: string | null;
  gender: string | null;
  /** `YYYY-MM-DD`. */
  birthdate: string | null;
  zoneinfo: string | null;
  locale: string | null;
  phone_number: string | null;
  phone_number_verified: boolean | null;
  address: Address | null;
  active_sessions: number;
}

/** The public view of a user. */
export function toUserResponse(user: User): UserResponse {
  return {
    id: user.id,
    username: user.username,
    email: user.email,
    created_at: user.createdAt.toISOString(),
    updated_at: user.updatedAt.toISOString(),
    last_login: user.lastLogin ? user.lastLogin.toISOString() : null,
    is_active: user.isActive,
    is_verified: user.isVerified,
    is_admin: user.isAdmin,
  };
}

/** The admin view of a user with its number of active sessions. */
export function toAdminUserResponse(user: User, activeSessions: number): AdminUserResponse {
  return {
    ...toUserResponse(user),
    requires_password_change: user.requiresPasswordChange,
    given_name: user.givenName,
    family_name: user.familyName,
    middle_name: user.middleName,
    nickname: user.nickname,
    preferred_username: user.preferredUsername,
    profile: user.profile,
    picture: user.picture,
    website: user.website,
    gender: user.gender,
    birthdate: user.birthdate,
    zoneinfo: user.zoneinfo,
    locale: user.locale,
    phone_number: user.phoneNumber,
    phone_number_verified: user.phoneNumberVerified,
    address: user.address,
    active_sessions: activeSessions,
  };
}
