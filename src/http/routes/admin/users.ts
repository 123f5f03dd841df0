import { presentedAccessToken } from '../../request-uri.js';
import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AdminService } from '../../../services/admin/admin-service.js';
import type { GrantService } from '../../../services/consents.js';
import { notFound } from '../../../services/users/detail-error.js';
import { parseRequest, uuidParam } from '../../plugins/request-schema.js';
import { readBefore, recordAdminChange } from './admin-audit.js';
import type { AuditLog } from '../../../audit/audit-log.js';
import { sessionListQuery, userCreateBody, userListQuery, userUpdateBody } from './user-schemas.js';

/** Options of the admin user routes. */
export interface AdminUserRoutesOptions {
  admin: AdminService;
  /** Where admin changes are recorded. */
  audit?: AuditLog;
  grants: GrantService;
}

const userPath = z.object({ user_id: uuidParam });
const sessionPath = z.object({ user_id: uuidParam, session_id: uuidParam });
const grantPath = z.object({ user_id: uuidParam, grant_id: uuidParam });

/** The admin users API and the users' sessions. */
export const adminUserRoutes: FastifyPluginAsync<AdminUserRoutesOptions> = async function adminUserRoutes(app: FastifyInstance, { admin, audit, grants }) {
  const userId = (request: FastifyRequest) => parseRequest(userPath, request.params, 'path').user_id;

  app.get('/admin/users', async function listUsers(request) {
    await admin.authorize(presentedAccessToken(request), 'admin:users:read');
    return admin.users.list(parseRequest(userListQuery, request.query, 'query'));
  });

  app.post('/admin/users', async function createUser(request, reply) {
    const { user: actor } = await admin.authorize(presentedAccessToken(request), 'admin:users:write');
    const created = await admin.users.create(parseRequest(userCreateBody, request.body, 'body'));
    recordAdminChange(audit, actor, { event: 'admin.user.created', userId: created.id, after: created });
    return reply.code(201).send(created);
  });

  app.get('/admin/users/:user_id', async function getUser(request) {
    await admin.authorize(presentedAccessToken(request), 'admin:users:read');
    return admin.users.get(userId(request));
  });

  app.put('/admin/users/:user_id', async function updateUser(request) {
    const { user } = await admin.authorize(presentedAccessToken(request), 'admin:users:write');
    const id = userId(request);
    const input = parseRequest(userUpdateBody, request.body, 'body');
    const before = await readBefore(() => admin.users.get(id));
    const after = await admin.users.update(id, input, user);
    recordAdminChange(audit, user, { event: 'admin.user.updated', userId: id, before, after, details: { password_changed: input.password !== undefined && input.password !== null } });
    return after;
  });

  app.delete('/admin/users/:user_id', async function deleteUser(request, reply) {
    const { user: actor } = await admin.authorize(presentedAccessToken(request), 'admin:users:write');
    const id = userId(request);
    const before = await readBefore(() => admin.users.get(id));
    await admin.users.delete(id);
    recordAdminChange(audit, actor, { event: 'admin.user.deleted', userId: id, before });
    return reply.code(204).send();
  });

  app.post('/admin/users/:user_id/reset-password', async function resetPassword(request) {
    const { user: actor } = await admin.authorize(presentedAccessToken(request), 'admin:users:write');
    const reset = await admin.users.resetPassword(userId(request));
    recordAdminChange(audit, actor, { event: 'admin.user.password_reset', userId: reset.user_id, details: { invalidated_sessions: reset.invalidated_sessions } });
    return reset;
  });

  // A user's grants (remembered consents); revoking one revokes its tokens. 404 for an unknown user.
  app.get('/admin/users/:user_id/grants', async function listGrants(request) {
    await admin.authorize(presentedAccessToken(request), 'admin:users:read');
    const id = userId(request);
    await admin.users.get(id);
    return grants.list(id);
  });

  app.delete('/admin/users/:user_id/grants/:grant_id', async function revokeGrant(request, reply) {
    await admin.authorize(presentedAccessToken(request), 'admin:users:write');
    const { user_id: id, grant_id: grantId } = parseRequest(grantPath, request.params, 'path');
    await admin.users.get(id);
    if (!(await grants.revoke(id, grantId))) throw notFound('Grant not found');
    return reply.code(204).send();
  });

  app.get('/admin/users/:user_id/sessions', async function listSessions(request) {
    await admin.authorize(presentedAccessToken(request), 'admin:users:read');
    const id = userId(request);
    const q = parseRequest(sessionListQuery, request.query, 'query');
    return admin.sessions.list(id, { skip: q.skip, limit: q.limit, includeInactive: q.include_inactive });
  });

  app.delete('/admin/users/:user_id/sessions', async function revokeSessions(request) {
    const { user: actor } = await admin.authorize(presentedAccessToken(request), 'admin:users:write');
    const revoked = await admin.sessions.revokeAll(userId(request));
    recordAdminChange(audit, actor, { event: 'admin.user.sessions_revoked', userId: revoked.user_id, details: { revoked_sessions: revoked.revoked_sessions } });
    return revoked;
  });

  app.delete('/admin/users/:user_id/sessions/:session_id', async function revokeSession(request) {
    const { user: actor } = await admin.authorize(presentedAccessToken(request), 'admin:users:write');
    const { user_id, session_id } = parseRequest(sessionPath, request.params, 'path');
    const revoked = await admin.sessions.revokeOne(user_id, session_id);
    recordAdminChange(audit, actor, { event: 'admin.user.sessions_revoked', userId: user_id, details: { session_id } });
    return revoked;
  });
};
