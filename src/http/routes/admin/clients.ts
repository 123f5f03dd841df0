import { readBefore, recordAdminChange } from './admin-audit.js';
import type { AuditLog } from '../../../audit/audit-log.js';
import { presentedAccessToken } from '../../request-uri.js';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { AdminService } from '../../../services/admin/admin-service.js';
import { MAX_OFFSET, parseRequest, queryBool, queryInt, text } from '../../plugins/request-schema.js';
import { clientCreateBody, clientOidcBody, clientUpdateBody } from './client-schemas.js';

/** Options of the admin client routes. */
export interface AdminClientRoutesOptions {
  admin: AdminService;
  /** Where admin changes are recorded. */
  audit?: AuditLog;
}

const listQuery = z.object({
  limit: queryInt(1, 1000, 100),
  offset: queryInt(0, MAX_OFFSET, 0),
  include_inactive: queryBool().default(false),
});
const clientPath = z.object({ client_id: text(255) });

/** The admin clients API. The secret is returned by create and regenerate-secret only. */
export const adminClientRoutes: FastifyPluginAsync<AdminClientRoutesOptions> = async function adminClientRoutes(app: FastifyInstance, { admin, audit }) {
  const clientId = (params: unknown) => parseRequest(clientPath, params, 'path').client_id;

  app.get('/admin/clients', async function listClients(request) {
    await admin.authorize(presentedAccessToken(request), 'admin:clients:read');
    const q = parseRequest(listQuery, request.query, 'query');
    return admin.clients.list({ limit: q.limit, offset: q.offset, includeInactive: q.include_inactive });
  });

  app.post('/admin/clients', async function createClient(request) {
    const { user: actor } = await admin.authorize(presentedAccessToken(request), 'admin:clients:write');
    const created = await admin.clients.create(parseRequest(clientCreateBody, request.body, 'body'));
    recordAdminChange(audit, actor, { event: 'admin.client.created', clientId: created.client_id, after: created });
    return created;
  });

  // Static segment: matched before `/admin/clients/:client_id`.
  app.get('/admin/clients/oidc/algorithms', async function algorithms(request) {
    await admin.authorize(presentedAccessToken(request), 'admin:clients:read');
    return SUPPORTED_ALGORITHMS;
  });

  app.get('/admin/clients/:client_id', async function getClient(request) {
    await admin.authorize(presentedAccessToken(request), 'admin:clients:read');
    return admin.clients.get(clientId(request.params));
  });

  app.put('/admin/clients/:client_id', async function updateClient(request) {
    const { user: actor } = await admin.authorize(presentedAccessToken(request), 'admin:clients:write');
    const id = clientId(request.params);
    const input = parseRequest(clientUpdateBody, request.body, 'body');
    const before = await readBefore(() => admin.clients.get(id));
    const after = await admin.clients.update(id, input);
    recordAdminChange(audit, actor, { event: 'admin.client.updated', clientId: id, before, after });
    return after;
  });

  app.post('/admin/clients/:client_id/regenerate-secret', async function regenerateSecret(request) {
    const { user: actor } = await admin.authorize(presentedAccessToken(request), 'admin:clients:write');
    const regenerated = await admin.clients.regenerateSecret(clientId(request.params));
    recordAdminChange(audit, actor, { event: 'admin.client.secret_regenerated', clientId: regenerated.client_id });
    return regenerated;
  });

  app.delete('/admin/clients/:client_id', async function deactivateClient(request) {
    const { user: actor } = await admin.authorize(presentedAccessToken(request), 'admin:clients:write');
    const deactivated = await admin.clients.deactivate(clientId(request.params));
    recordAdminChange(audit, actor, { event: 'admin.client.deactivated', clientId: deactivated.client_id });
    return deactivated;
  });

  app.get('/admin/clients/:client_id/oidc', async function getOidc(request) {
    await admin.authorize(presentedAccessToken(request), 'admin:clients:read');
    return admin.clients.getOidc(clientId(request.params));
  });

  app.put('/admin/clients/:client_id/oidc', async function updateOidc(request) {
    const { user: actor } = await admin.authorize(presentedAccessToken(request), 'admin:clients:write');
    const id = clientId(request.params);
    const input = parseRequest(clientOidcBody, request.body, 'body');
    const before = await readBefore(() => admin.clients.getOidc(id));
    const updated = await admin.clients.updateOidc(id, input);
    recordAdminChange(audit, actor, { event: 'admin.client.oidc_updated', clientId: id, before, after: await admin.clients.getOidc(id) });
    return updated;
  });
};

/** Authly's constant answer of `GET /admin/clients/oidc/algorithms`. */
const SUPPORTED_ALGORITHMS = {
  supported_algorithms: [
    { algorithm: 'RS256', description: 'RSA using SHA-256 (recommended)', default: true },
    { algorithm: 'HS256', description: 'HMAC using SHA-256', default: false },
    { algorithm: 'ES256', description: 'ECDSA using P-256 and SHA-256', default: false },
  ],
  subject_types: [
    { type: 'public', description: 'Same subject identifier for all clients', default: true },
    { type: 'pairwise', description: 'Different subject identifier per client', default: false },
  ],
};
