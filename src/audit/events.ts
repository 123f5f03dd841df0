/**
 * The security events Authly records. Each name is stable: operators alert and search on it, so
 * a name is never reused for another meaning. The README lists every event with its fields.
 */
export const AUDIT_EVENTS = [
  'login.succeeded',
  'login.failed',
  'account.locked',
  'rate_limit.exceeded',
  'client_auth.throttled',
  'token.issued',
  'token.revoked',
  'authorization_code.reused',
  'refresh_token.reused',
  'signing_key.rotated',
  'admin.user.created',
  'admin.user.updated',
  'admin.user.deleted',
  'admin.user.password_reset',
  'admin.user.sessions_revoked',
  'admin.client.created',
  'admin.client.updated',
  'admin.client.secret_regenerated',
  'admin.client.deactivated',
  'admin.client.oidc_updated',
  'admin.scope.created',
  'admin.scope.updated',
  'admin.scope.deactivated',
] as const;

/** One of {@link AUDIT_EVENTS}. */
export type AuditEventName = (typeof AUDIT_EVENTS)[number];

/** True when `name` is a known event name. */
export function isAuditEventName(name: string): name is AuditEventName {
  return (AUDIT_EVENTS as readonly string[]).includes(name);
}

/**
 * One security event as a service reports it. Identifiers only: never a password, a token, a
 * code or a secret (the audit log strips such keys from `details` anyway, see redact.ts).
 */
export interface AuditEvent {
  event: AuditEventName;
  /** The user the event is about (the one logging in, the token's owner, the admin's target). */
  userId?: string | null;
  /** The client's public `client_id`. */
  clientId?: string | null;
  /** Who acted, when not the user: the admin making a change. */
  actorId?: string | null;
  /** Event-specific fields (grant, algorithm, before/after, …). */
  details?: Record<string, unknown>;
}

/** An event as stored and listed: with its time and the request it happened in. */
export interface RecordedAuditEvent {
  id: string;
  event: string;
  occurredAt: Date;
  userId: string | null;
  clientId: string | null;
  actorId: string | null;
  requestId: string | null;
  details: Record<string, unknown>;
}
