/**
 * The scopes Authly's SQL script seeds, with the descriptions and flags exactly as
 * seeded. Start-up bootstrap later adds the `admin:*` scopes and rewrites the OIDC descriptions;
 * that is application code, not schema, so it does not belong here.
 */
export interface SeedScope {
  scopeName: string;
  description: string;
  isDefault: boolean;
  isActive: boolean;
}

/** The eight seed scopes, in the order Authly's SQL script inserts them. */
export const SEED_SCOPES: readonly SeedScope[] = [
  { scopeName: 'read', description: 'Read access to user data', isDefault: false, isActive: true },
  { scopeName: 'write', description: 'Write access to user data', isDefault: false, isActive: true },
  { scopeName: 'profile', description: 'Access to basic profile information', isDefault: true, isActive: true },
  { scopeName: 'email', description: 'Access to email address', isDefault: false, isActive: true },
  { scopeName: 'admin', description: 'Administrative access', isDefault: false, isActive: true },
  { scopeName: 'openid', description: 'OpenID Connect authentication scope', isDefault: false, isActive: true },
  { scopeName: 'address', description: 'Access to user physical mailing address', isDefault: false, isActive: true },
  {
    scopeName: 'phone',
    description: 'Access to user phone number and verification status',
    isDefault: false,
    isActive: true,
  },
];
