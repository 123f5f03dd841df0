import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** A registered route's path as a pattern, and the methods it answers. */
interface KnownPath {
  pattern: RegExp;
  methods: Set<string>;
}

function toPattern(url: string): RegExp {
  // `:param` matches one segment; everything else is literal (find-my-way's basic syntax).
  const source = url
    .split(/(:[A-Za-z0-9_]+)/)
    .map((part) => (part.startsWith(':') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`);
}

/**
 * As in FastAPI, a known path asked with another method answers `405 {"detail": "Method Not
 * Allowed"}` with an `Allow` header, as FastAPI does, rather than 404. Routes are recorded as they
 * are registered; call this before registering any.
 */
export function trackRoutesForMethodNotAllowed(app: FastifyInstance): (request: FastifyRequest, reply: FastifyReply) => FastifyReply | undefined {
  const known = new Map<string, KnownPath>();
  app.addHook('onRoute', function recordRoute(route) {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const entry = known.get(route.url) ?? { pattern: toPattern(route.url), methods: new Set<string>() };
    for (const method of methods) entry.methods.add(method.toUpperCase());
    known.set(route.url, entry);
  });
  return function methodNotAllowed(request, reply) {
    const path = request.url.split('?')[0] ?? '';
    const allowed = new Set<string>();
    for (const entry of known.values()) if (entry.pattern.test(path)) for (const m of entry.methods) allowed.add(m);
    if (allowed.size === 0 || allowed.has(request.method)) return undefined;
    return reply.code(405).header('allow', [...allowed].sort().join(', ')).send({ detail: 'Method Not Allowed' });
  };
}
