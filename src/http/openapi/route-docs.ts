import { z } from 'zod';
import { auditEventQuery } from '../routes/admin/audit-events.js';
import { clientCreateBody, clientOidcBody, clientUpdateBody } from '../routes/admin/client-schemas.js';
import { sessionListQuery, userCreateBody, userListQuery, userUpdateBody } from '../routes/admin/user-schemas.js';

/** What the description of one route adds to what the route itself declares. */
interface RouteDoc {
  querystring?: z.ZodType;
  body?: z.ZodType;
}

/**
 * The zod schemas routes validate with (inside their handlers), by `METHOD url`. They are turned
 * into JSON Schema for the API description only: Fastify never sees them, so validation and its
 * 422 answers stay exactly as the handlers do them.
 */
const ROUTE_DOCS: Readonly<Record<string, RouteDoc>> = {
  'GET /admin/audit-events': { querystring: auditEventQuery },
  'GET /admin/users': { querystring: userListQuery },
  'POST /admin/users': { body: userCreateBody },
  'PUT /admin/users/:user_id': { body: userUpdateBody },
  'GET /admin/users/:user_id/sessions': { querystring: sessionListQuery },
  'POST /admin/clients': { body: clientCreateBody },
  'PUT /admin/clients/:client_id': { body: clientUpdateBody },
  'PUT /admin/clients/:client_id/oidc': { body: clientOidcBody },
};

/** JSON Schema (draft 2020-12, as OpenAPI 3.1 uses) of what a client sends. */
function jsonSchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}

/** The documentation schema parts of a route, `{}` when it has none registered. */
export function documentedSchema(method: string, url: string): { querystring?: Record<string, unknown>; body?: Record<string, unknown> } {
  const doc = ROUTE_DOCS[`${method} ${url}`];
  if (!doc) return {};
  return {
    ...(doc.querystring ? { querystring: jsonSchema(doc.querystring) } : {}),
    ...(doc.body ? { body: jsonSchema(doc.body) } : {}),
  };
}

/** The tag a path is listed under in `/docs`. */
export function tagOf(url: string): string {
  if (url.startsWith('/admin')) return 'admin';
  if (/^\/api\/v1\/oauth\//.test(url) || url.startsWith('/.well-known/oauth')) return 'oauth';
  if (/oidc|openid|jwks/.test(url)) return 'oidc';
  if (url.startsWith('/api/v1/users')) return 'users';
  if (url.startsWith('/api/v1/auth')) return 'auth';
  return 'infrastructure';
}
