import type { FastifyInstance } from 'fastify';
import type { AuthlyMetrics } from '../../metrics/registry.js';

/**
 * `GET /metrics` (spec §3.1): Prometheus text exposition. Registered on the root instance, so the
 * hook counts every finished request by its route pattern; unmatched paths share `not_found`.
 */
export function registerMetrics(app: FastifyInstance, metrics: AuthlyMetrics): void {
  app.addHook('onResponse', async function countRequest(request, reply) {
    metrics.observeRequest(request.method, request.routeOptions.url ?? 'not_found', reply.statusCode, reply.elapsedTime / 1000);
  });
  app.get('/metrics', async function exposition(_request, reply) {
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
}
