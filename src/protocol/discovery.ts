/** The API prefix every OAuth endpoint lives under (spec §1.1). */
export const API_PREFIX = '/api/v1';

/** RFC 8414 §2 authorization server metadata, as this server publishes it. */
export interface AuthorizationServerMetadata {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  response_types_supported: string[];
  grant_types_supported: string[];
  code_challenge_methods_supported: string[];
  token_endpoint_auth_methods_supported: string[];
  scopes_supported: string[];
  revocation_endpoint: string;
  revocation_endpoint_auth_methods_supported: string[];
  introspection_endpoint: string;
  introspection_endpoint_auth_methods_supported: string[];
  response_modes_supported: string[];
  authorization_response_iss_parameter_supported: boolean;
  require_pkce: boolean;
  ui_locales_supported: string[];
  /** RFC 8628 §4. */
  device_authorization_endpoint: string;
  /** RFC 7591 §3; only while registration is open or token-gated. */
  registration_endpoint?: string;
}

/** What this deployment has switched on, so discovery advertises only what works. */
export interface DiscoveryFeatures {
  /** `registration.policy` is not `closed`. */
  registration: boolean;
  /** Back-channel logout notices are delivered. */
  backchannelLogout: boolean;
}

const NO_FEATURES: DiscoveryFeatures = { registration: false, backchannelLogout: false };

const AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'none'];

/**
 * RFC 8414 document (spec §3.2) with absolute URLs from one issuer (D4). Beyond Authly it
 * advertises what we implement: client_credentials and password grants, introspection,
 * `fragment`/`form_post` response modes and RFC 9207's `iss` parameter.
 */
export function authorizationServerMetadata(issuer: string, scopes: string[], features: DiscoveryFeatures = NO_FEATURES): AuthorizationServerMetadata {
  const base = `${issuer}${API_PREFIX}/oauth`;
  return {
    issuer,
    authorization_endpoint: `${base}/authorize`,
    token_endpoint: `${base}/token`,
    response_types_supported: ['code'],
    grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials', 'password', 'urn:ietf:params:oauth:grant-type:device_code'],
    code_challenge_methods_supported: ['S256'],
    token_endpoint_auth_methods_supported: AUTH_METHODS,
    scopes_supported: scopes,
    revocation_endpoint: `${base}/revoke`,
    revocation_endpoint_auth_methods_supported: AUTH_METHODS,
    introspection_endpoint: `${base}/introspect`,
    introspection_endpoint_auth_methods_supported: AUTH_METHODS,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    authorization_response_iss_parameter_supported: true,
    require_pkce: true,
    ui_locales_supported: ['en'],
    device_authorization_endpoint: `${base}/device_authorization`,
    ...(features.registration ? { registration_endpoint: `${base}/register` } : {}),
  };
}
