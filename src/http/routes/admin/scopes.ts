import { readBefore, recordAdminChange } from './admin-audit.js';
import type { AuditLog } from '../../../audit/audit-log.js';
import { presentedAccessToken } from '../../request-uri.js';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { AdminService } from '../../../services/admin/admin-service.js';
import { MAX_OFFSET, parseRequest, queryBool, queryInt, text } from '../../plugins/request-schema.js';
import { missingField, RequestValidationError } from '../../validation.js';

/** Options of the admin scope routes. */
export interface AdminScopeRoutesOptions {
  admin: AdminService;
  /** Where admin changes are recorded. */
  audit?: AuditLog;
}

const listQuery = z.object({
  limit: queryInt(1, 1000, 100),
  offset: queryInt(0, MAX_OFFSET, 0),
  include_inactive: queryBool().default(false),
  default_only: queryBool().default(false),
});
// `scope_name` stays unknown: its rules answer 400 with Authly's messages.
const scopeFields = {
  scope_name: z.unknown().optional(),
  description: text(10_000).nullish(),
  is_default: z.boolean().optional(),
  is_active: z.boolean().optional(),
};
const createBody = z.object(scopeFields);
const updateBody = z.object(scopeFields);
const scopePath = z.object({ scope_name: text(1000) });

/** The admin scopes API. */
export const adminScopeRoutes: FastifyPluginAsync<AdminScopeRoutesOptions> = async function adminScopeRoutes(app: FastifyInstance, { admin, audit }) {
  const scopeName = (params: unknown) => parseRequest(scopePath, params, 'path').scope_name;

  app.get('/admin/scopes', async function listScopes(request) {
    await admin.authorize(presentedAccessToken(request), 'admin:scopes:read');
    const q = parseRequest(listQuery, request.query, 'query');
    return admin.scopes.list({ limit: q.limit, offset: q.offset, includeInactive: q.include_inactive, defaultOnly: q.default_only });
  });

  app.post('/admin/scopes', async function createScope(request) {
    const { user: actor } = await admin.authorize(presentedAccessToken(request), 'admin:scopes:write');
    const body = parseRequest(createBody, request.body, 'body');
    // Authly fails with 500 here; a missing name is a validation error.
    if (body.scope_name === undefined) throw new RequestValidationError([missingField('body', 'scope_name')]);
    const created = await admin.scopes.create({ ...body, scope_name: body.scope_name });
    recordAdminChange(audit, actor, { event: 'admin.scope.created', after: created });
    return created;
  });

  // Static segment: matched before `/admin/scopes/:scope_name`.
  app.get('/admin/scopes/defaults', async function defaultScopes(request) {
    await admin.authorize(presentedAccessToken(request), 'admin:scopes:read');
    return admin.scopes.defaults();
  });

  app.get('/admin/scopes/:scope_name', async function getScope(request) {
    await admin.authorize(presentedAccessToken(request), 'admin:scopes:read');
    return admin.scopes.get(scopeName(request.params));
  });

  app.put('/admin/scopes/:scope_name', async function updateScope(request) {
    const { user: actor } = await admin.authorize(presentedAccessToken(request), 'admin:scopes:write');
    const name = scopeName(request.params);
    const input = parseRequest(updateBody, request.body, 'body');
    const before = await readBefore(() => admin.scopes.get(name));
    const after = await admin.scopes.update(name, input);
    recordAdminChange(audit, actor, { event: 'admin.scope.updated', before, after });
    return after;
  });

  app.delete('/admin/scopes/:scope_name', async function deactivateScope(request) {
    const { user: actor } = await admin.authorize(presentedAccessToken(request), 'admin:scopes:write');
    const deactivated = await admin.scopes.deactivate(scopeName(request.params));
    recordAdminChange(audit, actor, { event: 'admin.scope.deactivated', details: { scope_name: deactivated.scope_name } });
    return deactivated;
  });
};
