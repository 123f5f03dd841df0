import Fastify from 'fastify';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { Config } from '../config/index.js';
import { registerErrorHandling } from './error-handler.js';
import { healthRoutes } from './routes/health.js';
import type { HealthCheck } from './routes/health.js';
import { registerSecurityHeaders } from './security-headers.js';

/** 1 MiB: far above any OAuth form post; becomes a setting when an endpoint needs more. */
const BODY_LIMIT = 1024 * 1024;

/** Everything the HTTP layer needs, passed in by the composition root. */
export interface BuildServerOptions {
  config: Config;
  /** The application logger (pino), used for request logs. */
  logger: FastifyBaseLogger;
  /** The database check behind `/health` (spec §3.1, D12). */
  health: HealthCheck;
  /** Reported by `/health`, as Authly reports its package version. */
  version: string;
}

/**
 * Builds the Fastify application without listening (STYLE-ANCHORS §3 rule 21): tests call
 * `inject()`, the CLI calls `listen()`. Not yet `ready()`, so callers may register more routes.
 */
export async function buildServer(options: BuildServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: options.logger,
    bodyLimit: BODY_LIMIT,
    // DESIGN.md §7: close() must not wait for idle keep-alive sockets.
    forceCloseConnections: true,
    // Spec §1.3: FastAPI does not answer HEAD on GET routes.
    exposeHeadRoutes: false,
  });
  registerSecurityHeaders(app);
  registerErrorHandling(app);
  await app.register(healthRoutes, { health: options.health, version: options.version });
  return app;
}
