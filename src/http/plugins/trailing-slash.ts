import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';

/**
 * Starlette's slash redirect (spec §1.3): a path served only with (or only without) a trailing
 * slash answers the other form with 307 and an absolute `Location`; 307 keeps method and body.
 */
export function redirectSlash(app: FastifyInstance, from: string, to: string, methods: HTTPMethods[]): void {
  app.route({
    method: methods,
    url: from,
    handler: async function slashRedirect(request: FastifyRequest, reply: FastifyReply) {
      const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
      return reply.redirect(`${request.protocol}://${request.host}${to}${query}`, 307);
    },
  });
}
