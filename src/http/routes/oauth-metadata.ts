import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { OAuthService } from '../../services/oauth-service.js';
import { issuerFor } from '../issuer.js';

/** Options of the metadata route. */
export interface OAuthMetadataOptions {
  oauth: OAuthService;
  issuer: string | null;
}

/** `GET /.well-known/oauth-authorization-server` (RFC 8414 §3, spec §3.2). */
export const oauthMetadataRoutes: FastifyPluginAsync<OAuthMetadataOptions> = async function oauthMetadataRoutes(
  app: FastifyInstance,
  options,
) {
  app.get('/.well-known/oauth-authorization-server', async function metadata(request) {
    return options.oauth.metadata(issuerFor(request, options.issuer));
  });
};
