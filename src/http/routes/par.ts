import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { InvalidRequest } from '../../protocol/errors.js';
import type { OAuthService } from '../../services/oauth-service.js';
import { presentedCredentials } from '../client-credentials.js';
import { isFormRequest, singleValues } from '../request-params.js';
import { requestUri } from '../request-uri.js';

/** Options of the pushed-authorization-request route. */
export interface ParRoutesOptions {
  oauth: OAuthService;
  issuer: string | null;
}

/**
 * `POST {P}/oauth/par` (RFC 9126 §2): a form-encoded authorization request with client
 * authentication; `201` with `request_uri` and `expires_in`, never cached. Limited per client
 * address (`rate_limit.pushed_requests_per_ip`), since a public client pushes without a secret.
 */
export const parRoutes: FastifyPluginAsync<ParRoutesOptions> = async function parRoutes(app: FastifyInstance, options) {
  app.post('/oauth/par', { config: { oauthErrors: true, rateLimit: 'pushed_request' } }, async function par(request, reply) {
    reply.header('cache-control', 'no-store');
    const nonce = options.oauth.dpopNonce();
    if (nonce) reply.header('dpop-nonce', nonce);
    // RFC 9126 §2.1: the body is application/x-www-form-urlencoded.
    if (!isFormRequest(request.headers['content-type'])) throw new InvalidRequest('The request must be application/x-www-form-urlencoded');
    const params = singleValues(request.body);
    const pushed = await options.oauth.pushAuthorizationRequest({
      params,
      credentials: presentedCredentials(request, params, options.issuer),
      ...(request.headers.dpop !== undefined ? { dpop: { proof: request.headers.dpop, method: request.method, url: requestUri(request, options.issuer) } } : {}),
    });
    return reply.code(201).send(pushed);
  });
};
