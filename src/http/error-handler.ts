import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { OAuthError, ServerError } from '../protocol/errors.js';
import { isStorageUnavailable } from '../repositories/errors.js';
import { RequestValidationError } from './validation.js';
import { trackRoutesForMethodNotAllowed } from './method-not-allowed.js';
import { DetailError } from '../services/users/detail-error.js';
import { isOAuthRoute } from './oauth-routes.js';

/**
 * The only code that turns errors into responses. Bodies use FastAPI's
 * shape, `{"detail": ...}`, which Authly's clients parse.
 */
export function registerErrorHandling(app: FastifyInstance): void {
  const methodNotAllowed = trackRoutesForMethodNotAllowed(app);
  app.setNotFoundHandler(function notFound(request: FastifyRequest, reply: FastifyReply) {
    return methodNotAllowed(request, reply) ?? reply.code(404).send({ detail: 'Not Found' });
  });

  app.setErrorHandler(function handleError(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
    // Checked first: a service may have wrapped the storage failure (as a `cause`) in its own error.
    if (isStorageUnavailable(error)) return sendUnavailable(error, request, reply);
    if (error instanceof OAuthError) return sendOAuthError(error, request, reply);
    if (error instanceof RequestValidationError) return reply.code(422).send({ detail: error.issues });
    // Users/auth/admin API errors, FastAPI's HTTPException body.
    if (error instanceof DetailError) return sendDetailError(error, request, reply);
    const status = error.statusCode ?? 500;
    if (isOAuthRoute(request) && (status >= 500 || error.statusCode === undefined)) {
      // On OAuth endpoints an unexpected failure is a logged `server_error`, no internals.
      return sendOAuthError(new ServerError({ cause: error }), request, reply);
    }
    if (status >= 400 && status < 500) {
      // Framework-detected client errors (malformed JSON, body too large, bad media type, a body
      // over the parameter or depth limits): their messages describe the request, not the
      // server, so they are safe to return, in the shape the route's clients parse.
      if (isOAuthRoute(request)) return sendOAuthError(new OAuthError('invalid_request', error.message, status, false), request, reply);
      return reply.code(status).send({ detail: error.message });
    }
    // Internals go to the log only, never to the client.
    request.log.error({ err: error }, 'unhandled error');
    return reply.code(500).send({ detail: 'Internal Server Error' });
  });
}

/** Seconds a client should wait before retrying while the database is unreachable. */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

/**
 * The database is unreachable (or stayed locked): `503` with `Retry-After` (RFC 9110 §15.6.4,
 * §10.2.3), so clients and load balancers retry instead of treating the request as failed. OAuth
 * and OIDC endpoints answer RFC 6749 §4.1.2.1's `temporarily_unavailable`; the others a detail body.
 */
function sendUnavailable(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  request.log.warn({ err: error }, 'database unavailable; answered 503');
  reply.code(503).header('retry-after', String(UNAVAILABLE_RETRY_AFTER_SECONDS));
  if (isOAuthRoute(request)) {
    return reply.header('cache-control', 'no-store').send({
      error: 'temporarily_unavailable',
      error_description: 'The authorization server is temporarily unable to handle the request',
    });
  }
  return reply.send({ detail: 'Service temporarily unavailable' });
}

/**
 * RFC 6749 §5.2 body `{error, error_description}` with the error's status and headers
 * (`WWW-Authenticate` on 401s). 5xx errors are logged with their cause; the body stays generic.
 */
function sendOAuthError(error: OAuthError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error.status >= 500) request.log.error({ err: error.cause ?? error }, 'server_error');
  return reply
    .code(error.status)
    .headers(error.headers)
    .header('cache-control', 'no-store')
    .send({ error: error.error, ...(error.description ? { error_description: error.description } : {}) });
}

/** `{"detail"[, "error_code"]}` with the error's status and headers; 5xx causes go to the log only. */
function sendDetailError(error: DetailError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error.status >= 500) request.log.error({ err: error.cause ?? error }, error.detail);
  const body = error.errorCode ? { detail: error.detail, error_code: error.errorCode } : { detail: error.detail };
  return reply.code(error.status).headers(error.headers).send(body);
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Set on the OAuth endpoints, whose errors answer with the RFC 6749 §5.2 body. */
    oauthErrors?: boolean;
  }
}
