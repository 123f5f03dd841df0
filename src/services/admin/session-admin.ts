import type { TokenRecord } from '../../domain/token.js';
import type { User } from '../../domain/user.js';
import type { Repositories } from '../../repositories/repositories.js';
import type { Clock } from '../../repositories/ports.js';
import { badRequest, notFound } from '../users/detail-error.js';
import { endUserSessions } from '../users/end-sessions.js';
import { pageInfo, type PageInfo } from './page-info.js';

/** One "session" (an issued access or refresh token) as Authly lists it. */
export interface SessionView {
  session_id: string;
  token_jti: string;
  token_type: string;
  created_at: string;
  expires_at: string;
  /** Authly has no activity tracking: the creation time. */
  last_activity: string;
  is_active: boolean;
  /** `oauth_clients.id` of the client the token was issued to, when known (Authly: always null). */
  client_id: string | null;
  scope: string | null;
  is_expired: boolean;
  is_invalidated: boolean;
  invalidated_at: string | null;
}

/** `GET /admin/users/{id}/sessions` answer. */
export interface SessionList {
  sessions: SessionView[];
  total_count: number;
  active_count: number;
  page_info: PageInfo;
}

function toSessionView(token: TokenRecord, now: Date): SessionView {
  const expired = token.expiresAt.getTime() <= now.getTime();
  return {
    session_id: token.id,
    token_jti: token.jti,
    token_type: token.tokenType,
    created_at: token.createdAt.toISOString(),
    expires_at: token.expiresAt.toISOString(),
    last_activity: token.createdAt.toISOString(),
    is_active: !token.invalidated && !expired,
    client_id: token.clientId,
    scope: token.scope,
    is_expired: expired,
    is_invalidated: token.invalidated,
    invalidated_at: token.invalidatedAt ? token.invalidatedAt.toISOString() : null,
  };
}

/**
 * A user's sessions. A session is a token row of either type, newest first;
 * revoking sessions invalidates tokens, which every bearer check sees at once.
 */
export class SessionAdmin {
  readonly #repos: Repositories;
  readonly #clock: Clock;

  constructor(deps: { repos: Repositories; clock: Clock }) {
    this.#repos = deps.repos;
    this.#clock = deps.clock;
  }

  async list(userId: string, query: { skip: number; limit: number; includeInactive: boolean }): Promise<SessionList> {
    await this.#user(userId);
    const now = this.#clock.now();
    const filter = { now, activeOnly: !query.includeInactive, includeRefresh: true };
    const [sessions, total, active] = await Promise.all([
      this.#repos.tokens.listSessions(userId, { ...filter, limit: query.limit, offset: query.skip }),
      this.#repos.tokens.countSessions(userId, filter),
      this.#activeCount(userId),
    ]);
    return {
      sessions: sessions.map((t) => toSessionView(t, now)),
      total_count: total,
      active_count: active,
      page_info: pageInfo(query.skip, query.limit, total),
    };
  }

  /**
   * Invalidates every token of the user, access and refresh, and ends every
   * browser session of the user (the session epoch rises), so no login page signs them in again.
   */
  async revokeAll(userId: string): Promise<{ user_id: string; username: string; revoked_sessions: number; active_sessions_remaining: number; message: string }> {
    const user = await this.#user(userId);
    const before = await this.#activeCount(userId);
    await endUserSessions(this.#repos, userId, {}, this.#clock.now());
    const after = await this.#activeCount(userId);
    const revoked = before - after;
    return {
      user_id: user.id,
      username: user.username,
      revoked_sessions: revoked,
      active_sessions_remaining: after,
      message: `Successfully revoked ${revoked} active sessions. User must re-authenticate.`,
    };
  }

  /**
   * One session. An unknown id is 404 `Session not found`; another user's token is
   * 400 `Session does not belong to the specified user`.
   */
  async revokeOne(userId: string, sessionId: string): Promise<{ user_id: string; username: string; session_id: string; token_jti: string; token_type: string; message: string }> {
    const user = await this.#user(userId);
    const session = await this.#repos.tokens.findById(sessionId);
    if (!session) throw notFound('Session not found');
    if (session.userId !== userId) throw badRequest('Session does not belong to the specified user');
    if (session.invalidated) throw badRequest('Session is already invalidated');
    await this.#repos.tokens.invalidate(session.jti, this.#clock.now());
    return { user_id: user.id, username: user.username, session_id: session.id, token_jti: session.jti, token_type: session.tokenType, message: 'Session successfully revoked.' };
  }

  async #user(id: string): Promise<User> {
    const user = await this.#repos.users.findById(id);
    if (!user) throw notFound('User not found');
    return user;
  }

  async #activeCount(userId: string): Promise<number> {
    return (await this.#repos.users.activeSessionCounts([userId], this.#clock.now())).get(userId) ?? 0;
  }
}
