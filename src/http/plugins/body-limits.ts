import fastifyFormbody from '@fastify/formbody';
import { parse as parseQueryString } from 'fast-querystring';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { jsonNestedDeeperThan } from '../json-depth.js';
import { isOAuthPath } from '../oauth-routes.js';

/**
 * Body size of the OAuth/OIDC endpoints. Their largest legitimate body, the login form with every
 * authorization parameter, is a few KiB; 32 KiB leaves room without letting one request buy
 * much parsing time.
 */
export const OAUTH_BODY_LIMIT = 32 * 1024;
/** Every other route (admin and user JSON): far above any real body. */
export const DEFAULT_BODY_LIMIT = 1024 * 1024;
/** Form parameters one request may carry; the login form, the largest, sends about 20. */
export const MAX_FORM_PARAMETERS = 100;
/** Nesting of JSON arrays/objects; the deepest real body (a client's OIDC fields) is 3. */
export const MAX_JSON_DEPTH = 32;

/** A body refused before it is parsed; the error handler answers it in the route's error shape. */
export class BodyRejected extends Error {
  override readonly name = 'BodyRejected';
  readonly statusCode: number;

  constructor(message: string, statusCode = 400) {
    super(message);
    this.statusCode = statusCode;
  }
}

/** `application/x-www-form-urlencoded`, refused past {@link MAX_FORM_PARAMETERS} before any is decoded. */
export function parseForm(body: string): Record<string, unknown> {
  let separators = 0;
  for (let at = body.indexOf('&'); at !== -1; at = body.indexOf('&', at + 1)) {
    if (++separators >= MAX_FORM_PARAMETERS) throw new BodyRejected(`The form has more than ${MAX_FORM_PARAMETERS} parameters`);
  }
  return parseQueryString(body);
}

/**
 * Bounds every body before it costs anything: a per-route size on the OAuth/OIDC endpoints (a
 * route that sets its own `bodyLimit` keeps it), a parameter count on forms and a nesting depth
 * on JSON, checked by a linear scan ahead of Fastify's own JSON parser (secure-json-parse, which
 * still refuses `__proto__` and `constructor` keys). Call before any route is registered.
 */
export async function registerBodyLimits(app: FastifyInstance): Promise<void> {
  app.addHook('onRoute', function limitOAuthBodies(route) {
    if (route.bodyLimit === undefined && isOAuthPath(route.url)) route.bodyLimit = OAUTH_BODY_LIMIT;
  });
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, function depthLimitedJson(request: FastifyRequest, body, done) {
    const text = body as string;
    if (jsonNestedDeeperThan(text, MAX_JSON_DEPTH)) {
      done(new BodyRejected(`The JSON body is nested deeper than ${MAX_JSON_DEPTH} levels`), undefined);
      return;
    }
    parseJson(request, text, done);
  });
  // RFC 6749 §3.2: the token endpoint takes application/x-www-form-urlencoded.
  await app.register(fastifyFormbody, { parser: parseForm });
}
