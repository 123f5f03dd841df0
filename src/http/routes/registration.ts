import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { OAuthError } from '../../protocol/errors.js';
import { SCOPE_LIMITS, scopeSizeProblem } from '../../protocol/scope.js';
import { DEVICE_CODE_GRANT_TYPE } from '../../services/device/device-flow.js';
import type { ClientRegistration, RegistrationMetadata } from '../../services/registration/client-registration.js';
import { issuerFor } from '../issuer.js';
import { text } from '../plugins/request-schema.js';
import { isJsonRequest } from '../request-params.js';

/** Options of the registration routes. */
export interface RegistrationRoutesOptions {
  registration: ClientRegistration;
  issuer: string | null;
  /** The API prefix, for `registration_client_uri`. */
  apiPrefix: string;
}

const uri = text(2000);
// RFC 7591 §2; unknown members are ignored (§2: "MUST ignore any client metadata … it does not
// understand"). Sizes are those of the admin API.
const metadataSchema = z.object({
  redirect_uris: z.array(uri).max(100),
  client_name: text(255, 1).optional(),
  token_endpoint_auth_method: z.enum(['client_secret_basic', 'client_secret_post', 'none']).optional(),
  grant_types: z.array(z.enum(['authorization_code', 'refresh_token', 'client_credentials', DEVICE_CODE_GRANT_TYPE])).max(4).optional(),
  response_types: z.array(z.enum(['code'])).max(1).optional(),
  scope: text(SCOPE_LIMITS.maxLength)
    .superRefine((value, ctx) => {
      const problem = scopeSizeProblem(value);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .optional(),
  client_uri: uri.optional(),
  logo_uri: uri.optional(),
  tos_uri: uri.optional(),
  policy_uri: uri.optional(),
  contacts: z.array(text(255)).max(100).optional(),
  software_id: text(255).optional(),
  software_version: text(50).optional(),
  application_type: text(10).optional(),
  id_token_signed_response_alg: z.enum(['RS256', 'ES256']).optional(),
  default_max_age: z.number().int().min(0).max(2_147_483_647).optional(),
  require_auth_time: z.boolean().optional(),
  initiate_login_uri: uri.optional(),
  backchannel_logout_uri: uri.optional(),
  backchannel_logout_session_required: z.boolean().optional(),
});
const updateSchema = metadataSchema.extend({ client_id: text(255).optional() });

/** RFC 7591 §3.2.2: a body that is not acceptable metadata is `invalid_client_metadata`. */
function metadata<S extends z.ZodType>(schema: S, request: FastifyRequest): z.output<S> {
  if (!isJsonRequest(request.headers['content-type'])) throw new OAuthError('invalid_client_metadata', 'The body must be a JSON object', 400, false);
  const parsed = schema.safeParse(request.body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new OAuthError('invalid_client_metadata', `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`, 400, false);
}

/** The bearer token of `Authorization: Bearer …`, if any. */
function bearer(request: FastifyRequest): string | undefined {
  const match = /^Bearer +([^\s]+)\s*$/i.exec(request.headers.authorization ?? '');
  return match?.[1];
}

const clientPath = z.object({ client_id: text(255) });

/**
 * `POST {P}/oauth/register` (RFC 7591 §3) and the client configuration endpoint
 * `GET|PUT|DELETE {P}/oauth/register/{client_id}` (RFC 7592 §2). Responses are never cached.
 */
export const registrationRoutes: FastifyPluginAsync<RegistrationRoutesOptions> = async function registrationRoutes(app: FastifyInstance, options) {
  const { registration } = options;
  const clientUri = (request: FastifyRequest) => (clientId: string) => `${issuerFor(request, options.issuer)}${options.apiPrefix}/oauth/register/${encodeURIComponent(clientId)}`;
  const clientIdOf = (request: FastifyRequest) => {
    const parsed = clientPath.safeParse(request.params);
    if (!parsed.success) throw new OAuthError('invalid_token', 'The registration access token is invalid', 401, false);
    return parsed.data.client_id;
  };
  // Open registration is limited per client address (the token policy is limited by its tokens).
  const config = { oauthErrors: true, ...(registration.policy === 'open' ? { rateLimit: 'client_registration' as const } : {}) };

  app.post('/oauth/register', { config }, async function register(request, reply) {
    reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
    if (registration.policy === 'closed') throw new OAuthError('access_denied', 'Dynamic client registration is disabled', 403, false);
    const body = metadata(metadataSchema, request) as RegistrationMetadata;
    return reply.code(201).send(await registration.register(body, bearer(request), clientUri(request)));
  });

  app.get('/oauth/register/:client_id', { config: { oauthErrors: true } }, async function readClient(request, reply) {
    reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
    return registration.read(clientIdOf(request), bearer(request), clientUri(request));
  });

  app.put('/oauth/register/:client_id', { config: { oauthErrors: true } }, async function updateClient(request, reply) {
    reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
    const clientId = clientIdOf(request);
    // Authenticate before judging the body, so nothing is said to a caller without the token.
    await registration.read(clientId, bearer(request), clientUri(request));
    return registration.update(clientId, bearer(request), metadata(updateSchema, request) as RegistrationMetadata & { client_id?: string }, clientUri(request));
  });

  app.delete('/oauth/register/:client_id', { config: { oauthErrors: true } }, async function deleteClient(request, reply) {
    await registration.remove(clientIdOf(request), bearer(request));
    return reply.code(204).header('cache-control', 'no-store').send();
  });
};
