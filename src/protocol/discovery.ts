/** The API prefix every OAuth endpoint lives under. */
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
  token_endpoint_auth_signing_alg_values_supported: string[];
  pushed_authorization_request_endpoint: string;
  require_pushed_authorization_requests: boolean;
  dpop_signing_alg_values_supported: string[];
  /** RFC 8628 §4. */
  device_authorization_endpoint: string;
  /** RFC 7591 §3; only while registration is open or token-gated. */
  registration_endpoint?: string;
}

/** What this deployment has switched on or demands, so discovery advertises only what works. */
export interface ServerFeatures {
  /** `oauth.require_pushed_authorization_requests` (RFC 9126 §5). */
  requirePushedAuthorizationRequests: boolean;
  /** `oauth.dpop_signing_alg_values` (RFC 9449 §5.1). */
  dpopSigningAlgValues: readonly string[];
  /** `registration.policy` is not `closed`. */
  registration: boolean;
  /** Back-channel logout notices are delivered. */
  backchannelLogout: boolean;
}

/** The switches of dynamic registration and back-channel logout alone. */
export type DiscoveryFeatures = Pick<ServerFeatures, 'registration' | 'backchannelLogout'>;

/** The defaults, for callers that configure nothing. */
export const DEFAULT_FEATURES: ServerFeatures = {
  requirePushedAuthorizationRequests: false,
  dpopSigningAlgValues: ['ES256', 'RS256', 'PS256', 'EdDSA'],
  registration: false,
  backchannelLogout: false,
};

const AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'];
/** RFC 7523 §2.2 client assertions: asymmetric algorithms only. */
export const CLIENT_ASSERTION_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

/**
 * RFC 8414 document with absolute URLs from one issuer. Beyond Authly it
 * advertises what we implement: client_credentials and password grants, introspection,
 * `fragment`/`form_post` response modes, RFC 9207's `iss` parameter, `private_key_jwt`, pushed
 * authorization requests and DPoP.
 */
export function authorizationServerMetadata(issuer: string, scopes: string[], features: ServerFeatures = DEFAULT_FEATURES): AuthorizationServerMetadata {
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
    // RFC 7523 private_key_jwt, RFC 9126 PAR and RFC 9449 DPoP.
    token_endpoint_auth_signing_alg_values_supported: CLIENT_ASSERTION_ALGORITHMS,
    pushed_authorization_request_endpoint: `${base}/par`,
    require_pushed_authorization_requests: features.requirePushedAuthorizationRequests,
    dpop_signing_alg_values_supported: [...features.dpopSigningAlgValues],
    device_authorization_endpoint: `${base}/device_authorization`,
    ...(features.registration ? { registration_endpoint: `${base}/register` } : {}),
  };
}
