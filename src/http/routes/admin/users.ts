import { presentedAccessToken } from '../../request-uri.js';
import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AdminService } from '../../../services/admin/admin-service.js';
import { parseRequest, uuidParam } from '../../plugins/request-schema.js';
import { sessionListQuery, userCreateBody, userListQuery, userUpdateBody } from './user-schemas.js';

/** Options of the admin user routes. */
export interface AdminUserRoutesOptions {
  admin: AdminService;
}

const userPath = z.object({ user_id: uuidParam });
const sessionPath = z.object({ user_id: uuidParam, session_id: uuidParam });

/** Spec §3.7 Users and their sessions (§4.6). */
export const adminUserRoutes: FastifyPluginAsync<AdminUserRoutesOptions> = async function adminUserRoutes(app: FastifyInstance, { admin }) {
  const userId = (request: FastifyRequest) => parseRequest(userPath, request.params, 'path').user_id;

  app.get('/admin/users', async function listUsers(request) {
    await admin.authorize(presentedAccessToken(request), 'admin:users:read');
    return admin.users.list(parseRequest(userListQuery, request.query, 'query'));
  });

  app.post('/admin/users', async function createUser(request, reply) {
    await admin.authorize(presentedAccessToken(request), 'admin:users:write');
    const created = await admin.users.create(parseRequest(userCreateBody, request.body, 'body'));
    return reply.code(201).send(created);
  });

  app.get('/admin/users/:user_id', async function getUser(request) {
    await admin.authorize(presentedAccessToken(request), 'admin:users:read');
    return admin.users.get(userId(request));
  });

  app.put('/admin/users/:user_id', async function updateUser(request) {
    const { user } = await admin.authorize(presentedAccessToken(request), 'admin:users:write');
    return admin.users.update(userId(request), parseRequest(userUpdateBody, request.body, 'body'), user);
  });

  app.delete('/admin/users/:user_id', async function deleteUser(request, reply) {
    await admin.authorize(presentedAccessToken(request), 'admin:users:write');
    await admin.users.delete(userId(request));
    return reply.code(204).send();
  });

  app.post('/admin/users/:user_id/reset-password', async function resetPassword(request) {
    await admin.authorize(presentedAccessToken(request), 'admin:users:write');
    return admin.users.resetPassword(userId(request));
  });

  app.get('/admin/users/:user_id/sessions', async function listSessions(request) {
    await admin.authorize(presentedAccessToken(request), 'admin:users:read');
    const id = userId(request);
    const q = parseRequest(sessionListQuery, request.query, 'query');
    return admin.sessions.list(id, { skip: q.skip, limit: q.limit, includeInactive: q.include_inactive });
  });

  app.delete('/admin/users/:user_id/sessions', async function revokeSessions(request) {
    await admin.authorize(presentedAccessToken(request), 'admin:users:write');
    return admin.sessions.revokeAll(userId(request));
  });

  app.delete('/admin/users/:user_id/sessions/:session_id', async function revokeSession(request) {
    await admin.authorize(presentedAccessToken(request), 'admin:users:write');
    const { user_id, session_id } = parseRequest(sessionPath, request.params, 'path');
    return admin.sessions.revokeOne(user_id, session_id);
  });
};
