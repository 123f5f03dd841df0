import type { FastifyInstance } from 'fastify';
import type { AuthlyMetrics } from '../../metrics/registry.js';

/**
 * `GET /metrics`: Prometheus text exposition. Registered on the root instance, so the
 * hooks count every finished request by its route pattern (unmatched paths share `not_found`)
 * and the requests in flight.
 */
export function registerMetrics(app: FastifyInstance, metrics: AuthlyMetrics): void {
  const ended = () => metrics.inFlight(-1);
  app.addHook('onRequest', function countInFlight(_request, reply, done) {
    metrics.inFlight(1);
    // 'close' fires once per response, finished or aborted, so the gauge never drifts.
    reply.raw.on('close', ended);
    done();
  });
  app.addHook('onResponse', function countRequest(request, reply, done) {
    metrics.observeRequest(request.method, request.routeOptions.url ?? 'not_found', reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
  app.get('/metrics', async function exposition(_request, reply) {
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
}
