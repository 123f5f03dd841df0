import { presentedAccessToken } from '../request-uri.js';
import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { currentUser, type BearerAuthenticator, type UserPrincipal } from '../../services/users/current-user.js';
import { MIN_PASSWORD_LENGTH } from '../../services/users/password-rules.js';
import type { UserService } from '../../services/users/user-service.js';
import { parseRequest, text } from '../plugins/request-schema.js';

/** Options of the auth router. */
export interface AuthRoutesOptions {
  users: UserService;
  authenticate: BearerAuthenticator;
}

/** Longest password accepted anywhere: far beyond any passphrase, short of a hashing DoS. */
export const MAX_PASSWORD_LENGTH = 1024;

const changePasswordBody = z.object({
  current_password: text(MAX_PASSWORD_LENGTH),
  new_password: text(MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH),
});

/** `{P}/auth/*`: logout, change-password and password-status for the caller. */
export const authRoutes: FastifyPluginAsync<AuthRoutesOptions> = async function authRoutes(app: FastifyInstance, options) {
  const caller = (request: FastifyRequest): Promise<UserPrincipal> => currentUser(options.authenticate, presentedAccessToken(request));

  app.post('/auth/logout', async function logout(request) {
    const { user, jti } = await caller(request);
    return options.users.logout(user, jti);
  });

  app.post('/auth/change-password', async function changePassword(request) {
    const { user } = await caller(request);
    const body = parseRequest(changePasswordBody, request.body, 'body');
    return options.users.changePassword(user, body.current_password, body.new_password, request.clientAddress);
  });

  app.get('/auth/password-status', async function passwordStatus(request) {
    const { user } = await caller(request);
    return { requires_password_change: user.requiresPasswordChange, username: user.username };
  });
};
