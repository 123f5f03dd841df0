import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';

/**
 * Starlette's slash redirect: a path served only with (or only without) a trailing slash answers
 * the other form with 307, which keeps method and body. The `Location` is a relative reference
 * (RFC 9110 §10.2.2), the fixed target path plus the request's query, so neither the `Host`
 * header nor the request target can point it at another site.
 */
export function redirectSlash(app: FastifyInstance, from: string, to: string, methods: HTTPMethods[]): void {
  app.route({
    method: methods,
    url: from,
    handler: async function slashRedirect(request: FastifyRequest, reply: FastifyReply) {
      const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
      return reply.redirect(`${to}${query}`, 307);
    },
  });
}
