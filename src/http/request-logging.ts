import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
import { logsAt } from '../log/logger.js';
import { pathOf } from '../log/redaction.js';

/** Paths load balancers and orchestrators poll every few seconds. */
const PROBE_PATHS: ReadonlySet<string> = new Set(['/health', '/health/live']);

/**
 * Fastify's request log lines, reshaped: one line per request at `info`, written when it
 * completes, with `method`, `url` (the path: a query string may carry credentials),
 * `statusCode`, `responseTime` (ms), `remoteAddress` (the client address, see client-address.ts)
 * and the request's `reqId`. The line written when a request arrives is at `debug` (with the
 * query string, its credentials replaced), as are health probes: a probe every few seconds would
 * otherwise bury the requests worth reading at `info`. A probe that fails (not 2xx) is still
 * logged at `info`, a request that errored at `error`.
 */
export class RequestLogController extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    // The object is built only when the line is written.
    if (this.isLogDisabled(request) || !logsAt(request.log, 'debug')) return;
    request.log.debug({ req: request }, 'incoming request');
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (this.isLogDisabled(request)) return;
    const url = pathOf(request.url);
    const quiet = !error && reply.statusCode < 300 && PROBE_PATHS.has(url);
    const level = error ? 'error' : quiet ? 'debug' : 'info';
    if (!logsAt(reply.log, level)) return;
    const line = { method: request.method, url, statusCode: reply.statusCode, responseTime: reply.elapsedTime, remoteAddress: request.clientAddress || request.ip };
    if (error) reply.log.error({ ...line, err: error }, 'request errored');
    else reply.log[level](line, 'request completed');
  }
}
