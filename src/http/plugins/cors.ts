import fastifyCors from '@fastify/cors';
import type { FastifyInstance } from 'fastify';

/** The `cors` config section. */
export interface CorsOptions {
  enabled: boolean;
  origins: readonly string[];
  credentials: boolean;
  maxAgeSeconds: number;
}

/**
 * CORS, off by default as in Authly (no CORS middleware, preflights get 405). When
 * enabled, only the listed origins are answered; `*` is sent literally (never reflected), so
 * browsers refuse it together with credentials, as the Fetch standard requires.
 */
export async function registerCors(app: FastifyInstance, options: CorsOptions): Promise<void> {
  if (!options.enabled) return;
  await app.register(fastifyCors, {
    origin: options.origins.includes('*') ? '*' : [...options.origins],
    credentials: options.credentials,
    maxAge: options.maxAgeSeconds,
    methods: ['GET', 'POST', 'PUT', 'DELETE'],
  });
}
