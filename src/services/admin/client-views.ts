import type { Client, JsonWebKeySet, LocalizedValues } from '../../domain/client.js';

/** The OIDC registration fields of a client (OIDC Dynamic Registration §2), Authly's names. */
export interface ClientOidcFields {
  id_token_signed_response_alg: string;
  subject_type: string;
  sector_identifier_uri: string | null;
  require_auth_time: boolean;
  default_max_age: number | null;
  initiate_login_uri: string | null;
  request_uris: string[];
  application_type: string;
  contacts: string[];
}

/** Authly's `OAuthClientResponse`, the public view of a client. */
export interface ClientResponse extends ClientOidcFields {
  id: string;
  client_id: string;
  client_name: string;
  client_type: string;
  redirect_uris: string[];
  grant_types: string[];
  response_types: string[];
  scope: string | null;
  created_at: string;
  updated_at: string;
  is_active: boolean;
  require_pkce: boolean;
  token_endpoint_auth_method: string;
  client_uri: string | null;
  logo_uri: string | null;
  tos_uri: string | null;
  policy_uri: string | null;
  software_id: string | null;
  software_version: string | null;
  jwks: JsonWebKeySet | null;
  jwks_uri: string | null;
  require_pushed_authorization_requests: boolean;
  dpop_bound_access_tokens: boolean;
  backchannel_logout_uri: string | null;
  backchannel_logout_session_required: boolean;
}

/** Authly's `OAuthClientModel`; `client_secret_hash` is always null. */
export interface ClientModel extends ClientResponse {
  client_secret_hash: null;
  client_name_localized: LocalizedValues | null;
  logo_uri_localized: LocalizedValues | null;
  client_uri_localized: LocalizedValues | null;
  policy_uri_localized: LocalizedValues | null;
  tos_uri_localized: LocalizedValues | null;
}

/** The client's OIDC settings, from the stored row. */
export function oidcFields(client: Client): ClientOidcFields {
  return {
    id_token_signed_response_alg: client.idTokenSignedResponseAlg,
    subject_type: client.subjectType,
    sector_identifier_uri: client.sectorIdentifierUri,
    require_auth_time: client.requireAuthTime,
    default_max_age: client.defaultMaxAge,
    initiate_login_uri: client.initiateLoginUri,
    request_uris: client.requestUris,
    application_type: client.applicationType,
    contacts: client.contacts,
  };
}

/**
 * The public view. Unlike Authly (whose view always shows the OIDC defaults), the stored OIDC
 * values are shown: a client reading its own settings back must see what it saved.
 */
export function toClientResponse(client: Client): ClientResponse {
  return {
    id: client.id,
    client_id: client.clientId,
    client_name: client.clientName,
    client_type: client.clientType,
    redirect_uris: client.redirectUris,
    grant_types: client.grantTypes,
    response_types: client.responseTypes,
    scope: client.scope,
    created_at: client.createdAt.toISOString(),
    updated_at: client.updatedAt.toISOString(),
    is_active: client.isActive,
    require_pkce: client.requirePkce,
    token_endpoint_auth_method: client.tokenEndpointAuthMethod,
    client_uri: client.clientUri,
    logo_uri: client.logoUri,
    tos_uri: client.tosUri,
    policy_uri: client.policyUri,
    software_id: client.softwareId,
    software_version: client.softwareVersion,
    jwks: client.jwks,
    jwks_uri: client.jwksUri,
    require_pushed_authorization_requests: client.requirePushedAuthorizationRequests,
    dpop_bound_access_tokens: client.dpopBoundAccessTokens,
    backchannel_logout_uri: client.backchannelLogoutUri ?? null,
    backchannel_logout_session_required: client.backchannelLogoutSessionRequired ?? false,
    ...oidcFields(client),
  };
}

/** The full model without the secret digest (secrets and hashes are never listed). */
export function toClientModel(client: Client): ClientModel {
  return {
    ...toClientResponse(client),
    client_secret_hash: null,
    client_name_localized: client.clientNameLocalized,
    logo_uri_localized: client.logoUriLocalized,
    client_uri_localized: client.clientUriLocalized,
    policy_uri_localized: client.policyUriLocalized,
    tos_uri_localized: client.tosUriLocalized,
  };
}
