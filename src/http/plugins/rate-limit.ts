import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { LoginThrottle, RateLimitBucket } from '../../services/login-throttle.js';

/** A route's `config` as this plugin reads it: the per-address limit it is counted against. */
export interface RateLimitedRouteConfig {
  rateLimit?: RateLimitBucket;
}

/**
 * Fastify-level per-address limits: a route that declares `config: { rateLimit: 'registration' }`
 * is counted per client address before its body is parsed, and answered 429 `Rate limit
 * exceeded` with `Retry-After` over the limit. Password logins are limited inside the token and
 * authorize routes instead, because the username is in the body.
 */
export function registerRateLimits(app: FastifyInstance, throttle: LoginThrottle): void {
  // A callback hook: most routes have no bucket and go on at once, without a promise and a microtask turn.
  app.addHook('onRequest', function rateLimit(request: FastifyRequest, _reply, done) {
    // Read through a narrow type (as the error handler reads `oauthErrors`): FastifyContextConfig stays open.
    const bucket = (request.routeOptions.config as RateLimitedRouteConfig | undefined)?.rateLimit;
    if (!bucket) return done();
    throttle.limit(bucket, request.clientAddress).then(() => done(), done);
  });
}
