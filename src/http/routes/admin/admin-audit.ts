import type { AuditLog } from '../../../audit/audit-log.js';
import type { AuditEventName } from '../../../audit/events.js';
import type { User } from '../../../domain/user.js';

/** What an admin write changed, as the audit event records it. */
export interface AdminChange {
  event: AuditEventName;
  /** The user the change is about (a user's own record, sessions or password). */
  userId?: string;
  /** The public client_id the change is about. */
  clientId?: string;
  /** The resource as it was, and as it is now: the API's own views, whose secrets the audit log replaces. */
  before?: unknown;
  after?: unknown;
  details?: Record<string, unknown>;
}

/**
 * Records an admin change: who (`actor_id`, and the admin's username), what (the event and its
 * subject) and the resource before and after. The views never hold password hashes; a client
 * secret or temporary password in an answer is replaced by the audit log's secret filter.
 */
export function recordAdminChange(audit: AuditLog | undefined, actor: User, change: AdminChange): void {
  audit?.record({
    event: change.event,
    actorId: actor.id,
    userId: change.userId ?? null,
    clientId: change.clientId ?? null,
    details: {
      actor_username: actor.username,
      ...(change.before === undefined ? {} : { before: change.before }),
      ...(change.after === undefined ? {} : { after: change.after }),
      ...change.details,
    },
  });
}

/**
 * The resource before a change, for the audit record, or `undefined` when it cannot be read (an
 * inactive client or scope is not served by its read route): the change itself then decides
 * between 404 and success, exactly as without auditing.
 */
export function readBefore<T>(read: () => Promise<T>): Promise<T | undefined> {
  return read().catch(() => undefined);
}
