import { presentedAccessToken } from '../../request-uri.js';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { AUDIT_EVENTS } from '../../../audit/events.js';
import type { RecordedAuditEvent } from '../../../audit/events.js';
import type { AuditEventRepository } from '../../../repositories/audit-event-repository.js';
import type { AdminService } from '../../../services/admin/admin-service.js';
import { MAX_OFFSET, parseRequest, queryInt, text } from '../../plugins/request-schema.js';

/** The stored audit events and where events go (`audit.sink`). */
export interface AuditEventsSource {
  repository: AuditEventRepository;
  sink: 'log' | 'database';
}

/** Options of the audit-event route. */
export interface AdminAuditRoutesOptions {
  admin: AdminService;
  auditEvents?: AuditEventsSource;
}

/** An RFC 3339 date-time with its offset (`2025-01-10T00:00:00Z`, `…+02:00`). */
const time = z.iso.datetime({ offset: true }).transform((value) => new Date(value));

/** The listing's filters; unknown parameters are ignored, malformed ones are a 422. */
export const auditEventQuery = z
  .object({
    user_id: text(255, 1).optional(),
    client_id: text(255, 1).optional(),
    event: z.enum(AUDIT_EVENTS).optional(),
    from: time.optional(),
    to: time.optional(),
    limit: queryInt(1, 1000, 100),
    offset: queryInt(0, MAX_OFFSET, 0),
  })
  .refine((q) => q.from === undefined || q.to === undefined || q.from < q.to, { message: '`from` must be before `to`', path: ['from'] });

function view(event: RecordedAuditEvent) {
  return {
    id: event.id,
    event: event.event,
    occurred_at: event.occurredAt.toISOString(),
    user_id: event.userId,
    client_id: event.clientId,
    actor_id: event.actorId,
    request_id: event.requestId,
    details: event.details,
  };
}

/**
 * `GET /admin/audit-events`: stored security events, newest first, filtered by user, client,
 * event and time (`from` inclusive, `to` exclusive), paged by `limit`/`offset`. Needs
 * `admin:system:read`. Rows exist only with `audit.sink: database`; `sink` says which is on.
 */
export const adminAuditRoutes: FastifyPluginAsync<AdminAuditRoutesOptions> = async function adminAuditRoutes(app: FastifyInstance, { admin, auditEvents }) {
  if (!auditEvents) return;
  app.get('/admin/audit-events', async function listAuditEvents(request) {
    await admin.authorize(presentedAccessToken(request), 'admin:system:read');
    const q = parseRequest(auditEventQuery, request.query, 'query');
    const filter = { userId: q.user_id, clientId: q.client_id, event: q.event, from: q.from, to: q.to };
    const [events, total] = await Promise.all([auditEvents.repository.list({ ...filter, limit: q.limit, offset: q.offset }), auditEvents.repository.count(filter)]);
    return { sink: auditEvents.sink, total, limit: q.limit, offset: q.offset, events: events.map(view) };
  });
};
