import type { ClientPatch, ClientType, JsonWebKeySet, TokenEndpointAuthMethod } from '../../domain/client.js';
import type { OidcRuleInput } from './client-rules.js';

/** `POST /admin/clients` body after schema checks. */
export interface ClientCreateInput extends OidcRuleInput {
  client_name: string;
  client_type: ClientType;
  redirect_uris: string[];
  scope?: string | null;
  grant_types?: string[];
  response_types?: string[];
  require_pkce?: boolean;
  token_endpoint_auth_method?: TokenEndpointAuthMethod;
  client_uri?: string | null;
  logo_uri?: string | null;
  tos_uri?: string | null;
  policy_uri?: string | null;
  software_id?: string | null;
  software_version?: string | null;
  id_token_signed_response_alg?: string;
  require_auth_time?: boolean;
  initiate_login_uri?: string | null;
  jwks?: JsonWebKeySet | null;
  jwks_uri?: string | null;
  require_pushed_authorization_requests?: boolean;
  dpop_bound_access_tokens?: boolean;
  backchannel_logout_uri?: string | null;
  backchannel_logout_session_required?: boolean;
}

/** `PUT /admin/clients/{id}`: every documented field, `is_active` included; not the type. */
export type ClientUpdateInput = Partial<Omit<ClientCreateInput, 'client_type'>> & { is_active?: boolean };

/** The keys `PUT /admin/clients/{id}/oidc` applies. */
export const OIDC_UPDATE_KEYS = [
  'id_token_signed_response_alg',
  'subject_type',
  'sector_identifier_uri',
  'require_auth_time',
  'default_max_age',
  'initiate_login_uri',
  'request_uris',
  'application_type',
  'contacts',
] as const;

/** `PUT /admin/clients/{id}/oidc` body. */
export type ClientOidcUpdate = Pick<ClientCreateInput, (typeof OIDC_UPDATE_KEYS)[number]>;

/** Authly's snake_case field → our domain field. */
const FIELDS = {
  client_name: 'clientName',
  redirect_uris: 'redirectUris',
  scope: 'scope',
  grant_types: 'grantTypes',
  response_types: 'responseTypes',
  require_pkce: 'requirePkce',
  token_endpoint_auth_method: 'tokenEndpointAuthMethod',
  client_uri: 'clientUri',
  logo_uri: 'logoUri',
  tos_uri: 'tosUri',
  policy_uri: 'policyUri',
  software_id: 'softwareId',
  software_version: 'softwareVersion',
  id_token_signed_response_alg: 'idTokenSignedResponseAlg',
  subject_type: 'subjectType',
  sector_identifier_uri: 'sectorIdentifierUri',
  require_auth_time: 'requireAuthTime',
  default_max_age: 'defaultMaxAge',
  initiate_login_uri: 'initiateLoginUri',
  request_uris: 'requestUris',
  application_type: 'applicationType',
  contacts: 'contacts',
  is_active: 'isActive',
  jwks: 'jwks',
  jwks_uri: 'jwksUri',
  require_pushed_authorization_requests: 'requirePushedAuthorizationRequests',
  dpop_bound_access_tokens: 'dpopBoundAccessTokens',
  backchannel_logout_uri: 'backchannelLogoutUri',
  backchannel_logout_session_required: 'backchannelLogoutSessionRequired',
} as const satisfies Record<string, keyof ClientPatch>;

/** The present (non-`undefined`) input fields as a domain patch, and their Authly names. */
export function toClientPatch(input: ClientUpdateInput): { patch: ClientPatch; keys: string[] } {
  const patch: Record<string, unknown> = {};
  const keys: string[] = [];
  for (const [key, field] of Object.entries(FIELDS)) {
    const value = (input as Record<string, unknown>)[key];
    if (value === undefined) continue;
    patch[field] = value;
    keys.push(key);
  }
  return { patch: patch as ClientPatch, keys };
}
