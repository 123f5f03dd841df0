import type { RecordedAuditEvent } from '../audit/events.js';

/** A filter over stored audit events; every field narrows the result. */
export interface AuditEventQuery {
  userId?: string;
  clientId?: string;
  event?: string;
  /** Inclusive lower bound of `occurredAt`. */
  from?: Date;
  /** Exclusive upper bound of `occurredAt`. */
  to?: Date;
  limit: number;
  offset: number;
}

/** The `audit_events` table (`audit.sink: database`). */
export interface AuditEventRepository {
  /** Stores events in one statement. */
  insertMany(events: readonly RecordedAuditEvent[]): Promise<void>;
  /** Newest first, then by id, so pages are stable. */
  list(query: AuditEventQuery): Promise<RecordedAuditEvent[]>;
  /** How many events match the filter (paging ignored). */
  count(query: Omit<AuditEventQuery, 'limit' | 'offset'>): Promise<number>;
  /** Deletes up to `limit` events older than `before`; returns how many. */
  deleteOlderThan(before: Date, limit: number): Promise<number>;
}
