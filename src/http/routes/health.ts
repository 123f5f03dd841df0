import type { FastifyInstance } from 'fastify';

/** Resolves when the database answers; rejects otherwise (e.g. `Storage.ping`). */
export type HealthCheck = () => Promise<void>;

/** Options of {@link healthRoutes}. */
export interface HealthRoutesOptions {
  health: HealthCheck;
  version: string;
}

/**
 * `/health`, keeping Authly's keys `status`, `version`, `database`. Unlike Authly
 * (which answers 200 "unhealthy"), a failed database check is a 503, so load balancers
 * take the instance out. `/health/live` is the liveness probe: the process answers, nothing more.
 */
export async function healthRoutes(app: FastifyInstance, options: HealthRoutesOptions): Promise<void> {
  const { health, version } = options;

  app.get('/health', async function readiness(request, reply) {
    try {
      await health();
      return { status: 'healthy', version, database: 'connected' };
    } catch (error) {
      request.log.warn({ err: error }, 'health check: database unreachable');
      return reply.code(503).send({ status: 'unhealthy', version, database: 'error' });
    }
  });

  app.get('/health/live', async function liveness() {
    return { status: 'alive', version };
  });
}
