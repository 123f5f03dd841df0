import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { runWithRequestId } from '../log/request-context.js';

/** The response header that names the request (always sent). */
export const REQUEST_ID_HEADER = 'x-request-id';
/** Accepted as well; echoed (with the same id) when the request used it. */
export const CORRELATION_ID_HEADER = 'x-correlation-id';

/** Longest id taken from a client; longer ones are replaced, so logs cannot be flooded. */
const MAX_LENGTH = 128;
/** Visible ASCII only: no spaces, no control characters (CR/LF would forge log lines). */
const ACCEPTABLE = new RegExp(`^[\\x21-\\x7e]{1,${MAX_LENGTH}}$`);

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Fastify's `genReqId`: the caller's `X-Request-ID` (else `X-Correlation-ID`) when it is 1–128
 * visible ASCII characters, so a request can be followed through a proxy, this server and its
 * logs; anything else is replaced by a new id from `generate`.
 */
export function requestIdGenerator(generate: () => string): (raw: IncomingMessage) => string {
  return function requestId(raw) {
    for (const name of [REQUEST_ID_HEADER, CORRELATION_ID_HEADER]) {
      const offered = headerValue(raw.headers[name]);
      if (offered !== undefined) return ACCEPTABLE.test(offered) ? offered : generate();
    }
    return generate();
  };
}

/**
 * Returns the request id on every response and makes it reach every log line of the request:
 * Fastify's request logger binds it as `reqId`, and the application logger adds it to lines
 * logged while the request runs (services log through that one). Fastify carries the async
 * context from `onRequest` through body parsing into the handler, so entering it once suffices.
 */
export function registerRequestId(app: FastifyInstance): void {
  app.addHook('onRequest', function enterRequest(request, reply, done) {
    reply.header(REQUEST_ID_HEADER, request.id);
    if (request.headers[CORRELATION_ID_HEADER] !== undefined) reply.header(CORRELATION_ID_HEADER, request.id);
    runWithRequestId(request.id, done);
  });
}
