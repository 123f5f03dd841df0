import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { OAuthService, TokenInspectionInput } from '../../services/oauth-service.js';
import { presentedCredentials } from '../client-credentials.js';
import { singleValues } from '../request-params.js';
import { missingField, RequestValidationError } from '../validation.js';

/** Options of the revocation and introspection routes. */
export interface RevokeIntrospectOptions {
  oauth: OAuthService;
  /** `server.issuer`: client assertions name it (or the endpoint) as their audience. */
  issuer?: string | null;
}

function inspectionInput(request: FastifyRequest, issuer: string | null): TokenInspectionInput {
  const params = singleValues(request.body);
  if (!params.token) throw new RequestValidationError([missingField('body', 'token')]);
  return { token: params.token, hint: params.token_type_hint, credentials: presentedCredentials(request, params, issuer) };
}

/**
 * `POST {P}/oauth/revoke` (RFC 7009; JSON as Authly's clients send, and form as the RFC says)
 * and `POST {P}/oauth/introspect` (RFC 7662; form or JSON).
 */
export const revokeIntrospectRoutes: FastifyPluginAsync<RevokeIntrospectOptions> = async function revokeIntrospectRoutes(
  app: FastifyInstance,
  options,
) {
  app.post('/oauth/revoke', { config: { oauthErrors: true } }, async function revoke(request) {
    return options.oauth.revoke(inspectionInput(request, options.issuer ?? null));
  });

  app.post('/oauth/introspect', { config: { oauthErrors: true } }, async function introspect(request, reply) {
    reply.header('cache-control', 'no-store');
    return options.oauth.introspect(inspectionInput(request, options.issuer ?? null));
  });
};
