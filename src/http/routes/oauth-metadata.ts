import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { OAuthService } from '../../services/oauth-service.js';
import { issuerFor } from '../issuer.js';

/** Options of the metadata route. */
export interface OAuthMetadataOptions {
  oauth: OAuthService;
  issuer: string | null;
}

/**
 * Discovery documents change only with the configuration or the scope list, and clients fetch them
 * often: shared caches may keep them five minutes (the JWKS has its own, longer header).
 */
export const DISCOVERY_CACHE_CONTROL = 'public, max-age=300';

/** `GET /.well-known/oauth-authorization-server` (RFC 8414 §3). */
export const oauthMetadataRoutes: FastifyPluginAsync<OAuthMetadataOptions> = async function oauthMetadataRoutes(
  app: FastifyInstance,
  options,
) {
  app.get('/.well-known/oauth-authorization-server', async function metadata(request, reply) {
    return reply.header('cache-control', DISCOVERY_CACHE_CONTROL).send(await options.oauth.metadata(issuerFor(request, options.issuer)));
  });
};
