/** The admin scopes bootstrap registers, name → description. */
export const ADMIN_SCOPES = {
  'admin:clients:read': 'Read OAuth client configurations',
  'admin:clients:write': 'Create and modify OAuth clients',
  'admin:scopes:read': 'Read OAuth scope definitions',
  'admin:scopes:write': 'Create and modify OAuth scopes',
  'admin:users:read': 'Read user accounts',
  'admin:users:write': 'Create and modify user accounts',
  'admin:system:read': 'Read system status and configuration',
  'admin:system:write': 'Modify system configuration',
} as const;

/** One of the eight `admin:*` scopes. */
export type AdminScope = keyof typeof ADMIN_SCOPES;

/** Bootstrap rewrites the seed descriptions of the OIDC scopes to these. */
export const OIDC_SCOPE_DESCRIPTIONS: Readonly<Record<string, string>> = {
  openid: 'OpenID Connect authentication scope (required for OIDC flows)',
  profile: 'Access to user profile information (name, username, picture, etc.)',
  email: 'Access to user email address and verification status',
  address: 'Access to user physical mailing address',
  phone: 'Access to user phone number and verification status',
  // OIDC Core §11: created by bootstrap when missing (it is not one of Authly's seed scopes).
  offline_access: 'Stay signed in to the application: a refresh token for an OpenID Connect login',
};
