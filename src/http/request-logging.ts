import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

/** Paths load balancers and orchestrators poll every few seconds. */
const PROBE_PATHS: ReadonlySet<string> = new Set(['/health', '/health/live']);

function isProbe(request: FastifyRequest): boolean {
  const path = request.url.split('?', 1)[0] ?? '';
  return PROBE_PATHS.has(path);
}

/**
 * Fastify's request log lines, with health probes one level down: a probe every few seconds
 * would otherwise bury the requests worth reading at `info`. A probe that fails (not 2xx) is
 * still logged at `info`, and `logging.level: debug` shows every probe.
 */
export class QuietProbesLogController extends LogController {
  override incomingRequest(request: FastifyRequest, reply: FastifyReply, metadata?: Record<string, unknown>): void {
    if (!isProbe(request)) return super.incomingRequest(request, reply, metadata);
    if (this.isLogDisabled(request)) return;
    request.log.debug({ req: request }, 'incoming request');
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply, metadata?: Record<string, unknown>): void {
    if (error || !isProbe(request) || reply.statusCode >= 300) return super.requestCompleted(error, request, reply, metadata);
    if (this.isLogDisabled(request)) return;
    reply.log.debug({ res: reply, responseTime: reply.elapsedTime }, 'request completed');
  }
}
