import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * The only code that turns errors into responses (STYLE-ANCHORS §2.3). Bodies use FastAPI's
 * shape, `{"detail": ...}` (spec §1.3), which Authly's clients parse.
 */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setNotFoundHandler(function notFound(_request: FastifyRequest, reply: FastifyReply) {
    return reply.code(404).send({ detail: 'Not Found' });
  });

  app.setErrorHandler(function handleError(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      // Framework-detected client errors (malformed JSON, body too large, bad media type):
      // their messages describe the request, not the server, so they are safe to return.
      return reply.code(status).send({ detail: error.message });
    }
    // STYLE-ANCHORS §3 rule 8: internals go to the log only, never to the client.
    request.log.error({ err: error }, 'unhandled error');
    return reply.code(500).send({ detail: 'Internal Server Error' });
  });
}
