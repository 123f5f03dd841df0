import type { FastifyInstance } from 'fastify';
import { issuerFor } from '../issuer.js';
import { homePage, type HomeInfo } from '../views/home-page.js';

/** Options of {@link homeRoutes}. */
export interface HomeRoutesOptions {
  version: string;
  /** `server.issuer`; `null` derives it from the request. */
  issuer: string | null;
}

/** Where a client or a person goes from the home page; paths absent from this server are left out. */
const LINKS = [
  { rel: 'openid-configuration', href: '/.well-known/openid-configuration', title: 'OpenID Connect discovery' },
  { rel: 'oauth-authorization-server', href: '/.well-known/oauth-authorization-server', title: 'OAuth 2.0 server metadata (RFC 8414)' },
  { rel: 'jwks', href: '/.well-known/jwks.json', title: 'Signing keys (JWKS)' },
  { rel: 'docs', href: '/docs', title: 'API documentation' },
  { rel: 'health', href: '/health', title: 'Health' },
] as const;

/**
 * `GET /`: a small page that says what answers here (name, version, issuer) and links to the
 * discovery documents, the keys and the API docs, so the URL the server prints leads somewhere.
 * A client asking for JSON (and not HTML) gets the same facts as JSON.
 */
export async function homeRoutes(app: FastifyInstance, options: HomeRoutesOptions): Promise<void> {
  app.get('/', async function home(request, reply) {
    const links = LINKS.filter((link) => app.hasRoute({ method: 'GET', url: link.href }));
    const info: HomeInfo = { name: 'Authly', version: options.version, issuer: issuerFor(request, options.issuer), links };
    const accept = request.headers.accept ?? '';
    if (accept.includes('application/json') && !accept.includes('text/html')) return info;
    return reply.type('text/html; charset=utf-8').send(homePage(info));
  });
}
