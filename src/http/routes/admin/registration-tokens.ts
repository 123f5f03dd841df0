import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { AdminService } from '../../../services/admin/admin-service.js';
import type { ClientRegistration } from '../../../services/registration/client-registration.js';
import { parseRequest } from '../../plugins/request-schema.js';

/** Options of the initial access token route. */
export interface RegistrationTokenRoutesOptions {
  admin: AdminService;
  registration: ClientRegistration;
}

const body = z
  .object({
    expires_in: z.number().int().min(60).max(31_536_000).optional(),
    uses: z.number().int().min(1).max(10_000).optional(),
  })
  .nullish();

/**
 * `POST /admin/registration-tokens` (scope `admin:clients:write`): an initial access token for
 * `POST {P}/oauth/register` under the `token` policy (RFC 7591 §3), single use unless `uses`
 * says more. The token is shown once; only its digest is stored.
 */
export const adminRegistrationTokenRoutes: FastifyPluginAsync<RegistrationTokenRoutesOptions> = async function adminRegistrationTokenRoutes(app: FastifyInstance, options) {
  app.post('/admin/registration-tokens', async function mintRegistrationToken(request, reply) {
    await options.admin.authorize(request.headers.authorization, 'admin:clients:write');
    const input = parseRequest(body, request.body ?? null, 'body');
    reply.header('cache-control', 'no-store');
    return reply.code(201).send(await options.registration.mintInitialAccessToken({ expiresInSeconds: input?.expires_in, uses: input?.uses }));
  });
};
