import { authorizationServerMetadata, DEFAULT_FEATURES, type ServerFeatures } from '../discovery.js';
import { SUPPORTED_CLAIMS } from './claims.js';

/** The OIDC scopes every deployment understands (OIDC Core §5.4, §11 for `offline_access`). */
const OIDC_SCOPES = ['openid', 'profile', 'email', 'address', 'phone', 'offline_access'];

/**
 * OpenID Connect Discovery 1.0 §3: the same `issuer`,
 * `authorization_endpoint` and `token_endpoint` as the RFC 8414 document; only what this
 * server implements is advertised, and `id_token_signing_alg_values_supported` lists exactly the
 * algorithms it signs ID tokens with (never `none`, no HS256: secrets are hashed).
 */
export function openIdConfiguration(issuer: string, scopes: string[], idTokenAlgorithms: string[], features: ServerFeatures = DEFAULT_FEATURES): Record<string, unknown> {
  const oauth = authorizationServerMetadata(issuer, scopes, features);
  return {
    issuer: oauth.issuer,
    authorization_endpoint: oauth.authorization_endpoint,
    token_endpoint: oauth.token_endpoint,
    revocation_endpoint: oauth.revocation_endpoint,
    introspection_endpoint: oauth.introspection_endpoint,
    device_authorization_endpoint: oauth.device_authorization_endpoint,
    ...(oauth.registration_endpoint ? { registration_endpoint: oauth.registration_endpoint } : {}),
    userinfo_endpoint: `${issuer}/oidc/userinfo`,
    end_session_endpoint: `${issuer}/api/v1/oidc/logout`,
    check_session_iframe: `${issuer}/api/v1/oidc/session/iframe`,
    frontchannel_logout_supported: true,
    frontchannel_logout_session_supported: false,
    // OIDC Back-Channel Logout 1.0 §2.1: logout tokens always carry `sid` when the login had one.
    backchannel_logout_supported: features.backchannelLogout,
    backchannel_logout_session_supported: features.backchannelLogout,
    jwks_uri: `${issuer}/.well-known/jwks.json`,
    response_types_supported: oauth.response_types_supported,
    response_modes_supported: oauth.response_modes_supported,
    grant_types_supported: oauth.grant_types_supported,
    code_challenge_methods_supported: oauth.code_challenge_methods_supported,
    token_endpoint_auth_methods_supported: oauth.token_endpoint_auth_methods_supported,
    revocation_endpoint_auth_methods_supported: oauth.revocation_endpoint_auth_methods_supported,
    introspection_endpoint_auth_methods_supported: oauth.introspection_endpoint_auth_methods_supported,
    token_endpoint_auth_signing_alg_values_supported: oauth.token_endpoint_auth_signing_alg_values_supported,
    pushed_authorization_request_endpoint: oauth.pushed_authorization_request_endpoint,
    require_pushed_authorization_requests: oauth.require_pushed_authorization_requests,
    dpop_signing_alg_values_supported: oauth.dpop_signing_alg_values_supported,
    scopes_supported: [...new Set([...scopes, ...OIDC_SCOPES])],
    id_token_signing_alg_values_supported: idTokenAlgorithms,
    subject_types_supported: ['public'],
    claims_supported: SUPPORTED_CLAIMS,
    claims_parameter_supported: false,
    request_parameter_supported: false,
    request_uri_parameter_supported: false,
    require_request_uri_registration: false,
    authorization_response_iss_parameter_supported: true,
    prompt_values_supported: ['none', 'login', 'consent'],
    ui_locales_supported: ['en'],
    require_pkce: true,
  };
}
