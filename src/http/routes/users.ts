import { presentedAccessToken } from '../request-uri.js';
import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { requireAdmin } from '../../services/admin/admin-authority.js';
import type { AdminScope } from '../../services/admin/admin-scopes.js';
import { currentUser, type BearerAuthenticator } from '../../services/users/current-user.js';
import { MIN_PASSWORD_LENGTH } from '../../services/users/password-rules.js';
import type { UserService } from '../../services/users/user-service.js';
import type { GrantService } from '../../services/consents.js';
import { notFound } from '../../services/users/detail-error.js';
import { toUserResponse } from '../../services/users/user-views.js';
import { MAX_OFFSET, parseRequest, queryInt, text, uuidParam } from '../plugins/request-schema.js';
import { redirectSlash } from '../plugins/trailing-slash.js';
import { guardAdminRoutes, type AdminNetworkFilter } from '../admin-guard.js';
import { MAX_PASSWORD_LENGTH } from './auth.js';

/** Options of the users router. */
export interface UsersRoutesOptions {
  users: UserService;
  authenticate: BearerAuthenticator;
  /** `/api/v1`; paths are absolute here, because `/users/` and `/users` differ. */
  apiPrefix: string;
  /** Users' grants (remembered consents). */
  grants: GrantService;
  /** The admin network filter, put on the admin-only routes as on `/admin/*`. */
  adminFilter: AdminNetworkFilter;
}

// Authly's user field rules; lengths are the PostgreSQL column sizes, so no write fails.
const username = text(50, 1);
const email = text(255);
const password = text(MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH);
const registration = z.object({ username, email, password, is_admin: z.unknown().optional() });
const update = z.object({
  username: username.nullish(),
  email: email.nullish(),
  password: password.nullish(),
  is_admin: z.boolean().nullish(),
});
const listQuery = z.object({ skip: queryInt(0, MAX_OFFSET, 0), limit: queryInt(1, 100, 100) });
const userPath = z.object({ user_id: uuidParam });
const grantPath = z.object({ grant_id: uuidParam });

/** Explicit nulls mean "leave as is" (never a 500 for a null on a NOT NULL column). */
function present<T extends object>(input: T): { [K in keyof T]?: Exclude<T[K], null> } {
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== null && v !== undefined)) as { [K in keyof T]?: Exclude<T[K], null> };
}

/** The admin-only routes, in their own encapsulated context so the network filter hook is theirs alone. */
const adminUserManagementRoutes: FastifyPluginAsync<UsersRoutesOptions> = async function adminUserManagementRoutes(app: FastifyInstance, options) {
  const base = `${options.apiPrefix}/users`;
  guardAdminRoutes(app, options.adminFilter);
  const admin = async (request: FastifyRequest, scope: AdminScope) => requireAdmin(await currentUser(options.authenticate, presentedAccessToken(request)), scope);
  const userId = (request: FastifyRequest) => parseRequest(userPath, request.params, 'path').user_id;

  app.get(`${base}/`, async function list(request) {
    await admin(request, 'admin:users:read');
    const query = parseRequest(listQuery, request.query, 'query');
    return (await options.users.list(query.skip, query.limit)).map(toUserResponse);
  });

  app.get(`${base}/:user_id`, async function get(request) {
    await admin(request, 'admin:users:read');
    return toUserResponse(await options.users.get(userId(request)));
  });

  app.put(`${base}/:user_id`, async function put(request) {
    await admin(request, 'admin:users:write');
    const id = userId(request);
    const body = present(parseRequest(update, request.body, 'body'));
    return toUserResponse(await options.users.update(id, body));
  });

  app.delete(`${base}/:user_id`, async function remove(request, reply) {
    await admin(request, 'admin:users:write');
    await options.users.delete(userId(request));
    return reply.code(204).send();
  });

  app.put(`${base}/:user_id/verify`, async function verify(request) {
    await admin(request, 'admin:users:write');
    return toUserResponse(await options.users.verify(userId(request)));
  });
};

/**
 * `{P}/users/*`: public registration and `me`, and the admin-only management routes. Those carry
 * full power over every account, so they need what `/admin/users` needs: the `is_admin` flag, the
 * `admin:users:read` / `admin:users:write` scope in the token (a token an admin's login gave a
 * third-party client carries no admin power), and the admin network filter.
 */
export const usersRoutes: FastifyPluginAsync<UsersRoutesOptions> = async function usersRoutes(app: FastifyInstance, options) {
  const base = `${options.apiPrefix}/users`;

  app.post(`${base}/`, { config: { rateLimit: 'registration' } }, async function register(request, reply) {
    const body = parseRequest(registration, request.body, 'body');
    const user = await options.users.register(body);
    return reply.code(201).send(toUserResponse(user));
  });
  redirectSlash(app, base, `${base}/`, ['GET', 'POST']);

  app.get(`${base}/me`, async function me(request) {
    const { user } = await currentUser(options.authenticate, presentedAccessToken(request));
    return toUserResponse(user);
  });

  // The user's grants (remembered consents, OIDC Core §3.1.2.4), with their own token.
  app.get(`${base}/me/grants`, async function myGrants(request) {
    const { user } = await currentUser(options.authenticate, presentedAccessToken(request));
    return options.grants.list(user.id);
  });

  // Revokes one of the user's grants and every token issued under it; another user's grant is 404.
  app.delete(`${base}/me/grants/:grant_id`, async function revokeMyGrant(request, reply) {
    const { user } = await currentUser(options.authenticate, presentedAccessToken(request));
    const { grant_id: grantId } = parseRequest(grantPath, request.params, 'path');
    if (!(await options.grants.revoke(user.id, grantId))) throw notFound('Grant not found');
    return reply.code(204).send();
  });

  await app.register(adminUserManagementRoutes, options);
};
