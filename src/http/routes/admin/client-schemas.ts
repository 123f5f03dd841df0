import { z } from 'zod';
import { SCOPE_LIMITS, scopeSizeProblem } from '../../../protocol/scope.js';
import { DEVICE_CODE_GRANT_TYPE } from '../../../services/device/device-flow.js';
import { text } from '../../plugins/request-schema.js';

// Authly's OAuthClientCreateRequest. String sizes follow the PostgreSQL columns and
// lists are bounded, so oversized input is a 422 rather than a database error.
const uri = text(2000);
const uriList = z.array(text(2000)).max(100);
// The names become an `IN (…)` list: bounded like every client-supplied scope (422, not a query).
const scope = text(SCOPE_LIMITS.maxLength).superRefine((value, ctx) => {
  const problem = scopeSizeProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

// A few public keys, each a JSON object of bounded size (checked again as a public JWK). Members
// are strings, numbers, booleans or string lists (`x5c`, `key_ops`); strings must be storable in
// PostgreSQL's JSONB (no NUL, no lone surrogate), so bad input is a 422, never a 500.
const jwkText = text(8192).refine((value) => !/\p{Surrogate}/u.test(value), 'String should be well-formed Unicode');
const jwkMember = z.union([jwkText, z.number(), z.boolean(), z.array(jwkText).max(10)]);
const jwk = z.record(jwkText.pipe(z.string().max(64)), jwkMember).refine((key) => JSON.stringify(key).length <= 8192, 'a JWK of at most 8192 characters');
const jwkSet = z.object({ keys: z.array(jwk).min(1).max(10) });

/** Optional fields shared by create and update. */
const optionalClientFields = {
  scope: scope.nullish(),
  grant_types: z.array(z.enum(['authorization_code', 'refresh_token', 'client_credentials', 'password', DEVICE_CODE_GRANT_TYPE])).max(5).optional(),
  response_types: z.array(z.enum(['code'])).max(1).optional(),
  require_pkce: z.boolean().optional(),
  token_endpoint_auth_method: z.enum(['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none']).optional(),
  // RFC 7591 §2: a JWK Set by value or by reference; the business rules check the keys.
  jwks: jwkSet.nullish(),
  jwks_uri: uri.nullish(),
  require_pushed_authorization_requests: z.boolean().optional(),
  dpop_bound_access_tokens: z.boolean().optional(),
  client_uri: uri.nullish(),
  logo_uri: uri.nullish(),
  tos_uri: uri.nullish(),
  policy_uri: uri.nullish(),
  software_id: text(255).nullish(),
  software_version: text(50).nullish(),
  backchannel_logout_uri: uri.nullish(),
  backchannel_logout_session_required: z.boolean().optional(),
};

/** The OIDC registration fields; the enums match the database CHECKs. */
const oidcFields = {
  id_token_signed_response_alg: z.enum(['RS256', 'HS256', 'ES256']).optional(),
  subject_type: z.enum(['public', 'pairwise']).optional(),
  sector_identifier_uri: uri.nullish(),
  require_auth_time: z.boolean().optional(),
  default_max_age: z.number().int().max(2_147_483_647).nullish(),
  initiate_login_uri: uri.nullish(),
  request_uris: uriList.optional(),
  // Free text in the request; the business rule answers 400 for anything but web/native.
  application_type: text(10).optional(),
  contacts: z.array(text(255)).max(100).optional(),
};

/** `POST /admin/clients`; unknown keys are dropped (Authly's shell tests send some). */
export const clientCreateBody = z.object({
  client_name: text(255, 1),
  client_type: z.enum(['confidential', 'public']),
  redirect_uris: uriList,
  ...optionalClientFields,
  ...oidcFields,
});

/** `PUT /admin/clients/{id}`: every documented field, `is_active` included. */
export const clientUpdateBody = z.object({
  client_name: text(255, 1).optional(),
  redirect_uris: uriList.optional(),
  is_active: z.boolean().optional(),
  ...optionalClientFields,
  ...oidcFields,
});

/** `PUT /admin/clients/{id}/oidc`. */
export const clientOidcBody = z.object(oidcFields);
