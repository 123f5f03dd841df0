import type { FastifyInstance } from 'fastify';
import type { PublicJwk } from '../../domain/signing-key.js';
import { isStorageUnavailable } from '../../repositories/errors.js';

/** Where the JWK Set comes from (the keystore). */
export interface JwksSource {
  jwks(): Promise<{ keys: PublicJwk[] }>;
}

/** Options of {@link jwksRoutes}. */
export interface JwksRoutesOptions {
  keys: JwksSource;
}

/** Authly's header; it matches the default `keys.rotation_delay_seconds` (3600). */
const CACHE_CONTROL = 'public, max-age=3600';

/** RFC 7518 §6.2.2, §6.3.2, §6.4; RFC 8037 §2: members that would disclose a private or secret key. */
const PRIVATE_MEMBERS = new Set(['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']);

/**
 * `GET /.well-known/jwks.json` (RFC 7517 §5): the public signing keys, with the
 * staged and recently retired ones, so verifiers know a key before it signs and after it stops.
 * Private members are stripped here as well, whatever the source returns.
 */
export async function jwksRoutes(app: FastifyInstance, options: JwksRoutesOptions): Promise<void> {
  const { keys } = options;

  app.get('/.well-known/jwks.json', async function jwks(request, reply) {
    try {
      const set = await keys.jwks();
      return reply.header('cache-control', CACHE_CONTROL).send({ keys: set.keys.map(publicOnly) });
    } catch (error) {
      // The database is away: the error handler's 503 + Retry-After, not a 500.
      if (isStorageUnavailable(error)) throw error;
      request.log.error({ err: error }, 'JWKS unavailable');
      return reply.code(500).send({ detail: 'Unable to generate JWKS response' });
    }
  });
}

function publicOnly(jwk: PublicJwk): PublicJwk {
  return Object.fromEntries(Object.entries(jwk).filter(([name]) => !PRIVATE_MEMBERS.has(name))) as PublicJwk;
}
