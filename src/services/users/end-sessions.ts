import type { User, UserPatch } from '../../domain/user.js';
import type { Repositories } from '../../repositories/repositories.js';

/** What ending a user's sessions did. */
export interface EndedSessions {
  /** The user after the write; `undefined` when no such user. */
  user: User | undefined;
  /** Tokens (access and refresh) this call revoked. */
  revokedTokens: number;
  /** Of those, access tokens: what the admin API calls sessions. */
  revokedAccessTokens: number;
}

/**
 * Whether a patch takes something away that live credentials would otherwise keep: the account
 * is deactivated or unverified, an admin is demoted, or the password is replaced. Such a change
 * must end the user's tokens and browser sessions with it, or they keep the old power until
 * they expire.
 */
export function patchEndsSessions(before: User, patch: UserPatch): boolean {
  return (
    (patch.isActive === false && before.isActive) ||
    (patch.isVerified === false && before.isVerified) ||
    (patch.isAdmin === false && before.isAdmin) ||
    patch.passwordHash !== undefined
  );
}

/**
 * Writes `patch` (possibly empty) and ends every session of the user: the session epoch rises in
 * the same UPDATE (so each browser-session cookie issued before is dead), codes not yet exchanged
 * are dropped, then every live access and refresh token is revoked. The write comes first: a
 * refresh racing it then sees the new state, and any token it still issued before the revocation
 * is revoked with the others.
 */
export async function endUserSessions(repos: Repositories, userId: string, patch: UserPatch, at: Date): Promise<EndedSessions> {
  const user = await repos.users.update(userId, patch, { endSessions: true });
  if (!user) return { user, revokedTokens: 0, revokedAccessTokens: 0 };
  await repos.authorizationCodes.deleteUnusedByUser(userId);
  // OIDC Back-Channel Logout 1.0 §2.5: the clients of the ended sessions are told, from the
  // durable outbox, after this request (delivery never blocks it).
  await repos.backchannelLogout.enqueueForUser(userId, at);
  const revokedAccessTokens = await repos.tokens.invalidateByUser(userId, at, 'access');
  const revokedTokens = revokedAccessTokens + (await repos.tokens.invalidateByUser(userId, at));
  return { user, revokedTokens, revokedAccessTokens };
}

/** Applies an update, ending the user's sessions when {@link patchEndsSessions} says it must. */
export async function applyUserPatch(repos: Repositories, before: User, patch: UserPatch, at: Date): Promise<User | undefined> {
  if (!patchEndsSessions(before, patch)) return repos.users.update(before.id, patch);
  return (await endUserSessions(repos, before.id, patch, at)).user;
}
