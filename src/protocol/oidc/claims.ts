import type { User } from '../../domain/user.js';

/** OIDC Core §5.4: the claims each standard scope releases. */
export const SCOPE_CLAIMS = {
  profile: [
    'name', 'given_name', 'family_name', 'middle_name', 'nickname', 'preferred_username', 'profile', 'picture',
    'website', 'gender', 'birthdate', 'zoneinfo', 'locale', 'updated_at',
  ],
  email: ['email', 'email_verified'],
  phone: ['phone_number', 'phone_number_verified'],
  address: ['address'],
} as const;

/** Every claim this server can release (discovery's `claims_supported`). */
export const SUPPORTED_CLAIMS = [
  'sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'nonce', 'at_hash', 'azp',
  ...SCOPE_CLAIMS.profile, ...SCOPE_CLAIMS.email, ...SCOPE_CLAIMS.phone, ...SCOPE_CLAIMS.address,
].sort();

/** The order of Authly's UserInfo document. */
const USERINFO_KEYS = ['sub', ...SCOPE_CLAIMS.profile, ...SCOPE_CLAIMS.email, ...SCOPE_CLAIMS.phone, ...SCOPE_CLAIMS.address] as const;

/** As in Authly: given + family, either one, or the username. */
function displayName(user: User): string {
  const parts = [user.givenName, user.familyName].filter((p): p is string => !!p);
  return parts.length > 0 ? parts.join(' ') : user.username;
}

function claimValue(user: User, claim: string): unknown {
  switch (claim) {
    case 'name': return displayName(user);
    case 'given_name': return user.givenName;
    case 'family_name': return user.familyName;
    case 'middle_name': return user.middleName;
    case 'nickname': return user.nickname;
    case 'preferred_username': return user.preferredUsername ?? user.username;
    case 'profile': return user.profile;
    case 'picture': return user.picture;
    case 'website': return user.website;
    case 'gender': return user.gender;
    case 'birthdate': return user.birthdate;
    case 'zoneinfo': return user.zoneinfo;
    case 'locale': return user.locale;
    case 'updated_at': return Math.floor(user.updatedAt.getTime() / 1000);
    case 'email': return user.email;
    case 'email_verified': return user.isVerified;
    case 'phone_number': return user.phoneNumber;
    case 'phone_number_verified': return user.phoneNumberVerified;
    case 'address': return user.address;
    default: return null;
  }
}

/** The claims the granted scopes release, without nulls (ID tokens, OIDC Core §5.4). */
export function releasedClaims(user: User, scopes: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [scope, claims] of Object.entries(SCOPE_CLAIMS)) {
    if (!scopes.includes(scope)) continue;
    for (const claim of claims) {
      const value = claimValue(user, claim);
      if (value !== null && value !== undefined) out[claim] = value;
    }
  }
  return out;
}

/**
 * Authly's UserInfo document: all 20 keys always present, `null` where the scopes do
 * not release a claim or the user has no value.
 */
export function userInfoDocument(user: User, scopes: readonly string[]): Record<string, unknown> {
  const released = releasedClaims(user, scopes);
  const doc: Record<string, unknown> = {};
  for (const key of USERINFO_KEYS) doc[key] = key === 'sub' ? user.id : (released[key] ?? null);
  return doc;
}
