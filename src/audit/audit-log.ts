import type { AuditEventRepository } from '../repositories/audit-event-repository.js';
import type { Clock, IdGenerator, Logger } from '../repositories/ports.js';
import { currentRequestId } from '../log/request-context.js';
import { BufferedAuditWriter } from './buffered-writer.js';
import { AUDIT_EVENTS, type AuditEvent, type AuditEventName, type RecordedAuditEvent } from './events.js';
import { logsAt } from '../log/logger.js';
import { detailsWithoutSecrets } from './redact.js';

/** Where security events are reported. */
export interface AuditLog {
  /** Records one event: a log line at once, and a database row when that sink is on. Never throws. */
  record(event: AuditEvent): void;
  /** Writes events the database sink still holds. */
  flush(): Promise<void>;
  /** Flushes and stops; idempotent. */
  close(): Promise<void>;
}

/** Called with each event (metrics count them). */
export type AuditObserver = (event: AuditEvent) => void;

/** What an {@link AuditLog} is built from. */
export interface AuditLogOptions {
  logger: Logger;
  clock: Clock;
  ids: IdGenerator;
  /** `audit.sink: database`: the table events are also written to. */
  repository?: AuditEventRepository;
  observers?: readonly AuditObserver[];
  /** Test hook: the database writer's interval. */
  flushIntervalMs?: number;
}

/** Events an operator should look at: logged at `warn`, the rest at `info`. */
const WARNINGS: ReadonlySet<AuditEventName> = new Set([
  'account.locked',
  'rate_limit.exceeded',
  'client_auth.throttled',
  'authorization_code.reused',
  'refresh_token.reused',
]);

/** Each event's log message, made once. */
const MESSAGES = Object.fromEntries(AUDIT_EVENTS.map((name) => [name, `audit: ${name}`])) as Record<AuditEventName, string>;

/**
 * The audit log: every event becomes one log line `{audit: true, event, user_id, client_id,
 * actor_id, details}` (with the request's `reqId`), and with a repository also a row of
 * `audit_events`, written in the background. Secret-named keys in `details` are replaced
 * before either sees them.
 */
export function createAuditLog(options: AuditLogOptions): AuditLog {
  const { logger, clock, ids } = options;
  const observers = options.observers ?? [];
  const writer = options.repository ? new BufferedAuditWriter({ repository: options.repository, logger, ...(options.flushIntervalMs ? { flushIntervalMs: options.flushIntervalMs } : {}) }) : undefined;
  let closed: Promise<void> | undefined;
  return {
    record(event) {
      try {
        // Flat details without secrets (most events') are used as they are, not copied.
        const details = event.details === undefined ? {} : detailsWithoutSecrets(event.details);
        const level = WARNINGS.has(event.event) ? 'warn' : 'info';
        // The line is built only when it is written; the logger's own redaction does not look
        // into `details` (audit lines are redacted here, see redact.ts).
        if (logsAt(logger, level)) {
          logger[level]({ audit: true, event: event.event, user_id: event.userId ?? null, client_id: event.clientId ?? null, actor_id: event.actorId ?? null, details }, MESSAGES[event.event] ?? `audit: ${event.event}`);
        }
        writer?.add(toRecorded(event, details, clock.now(), ids.uuid()));
        for (const observe of observers) observe(event);
      } catch (error) {
        // Reporting must never fail the request it reports on.
        logger.error({ err: error, event: event.event }, 'audit: event not recorded');
      }
    },
    flush: () => writer?.flush() ?? Promise.resolve(),
    close() {
      closed ??= writer?.close() ?? Promise.resolve();
      return closed;
    },
  };
}

function toRecorded(event: AuditEvent, details: Record<string, unknown>, at: Date, id: string): RecordedAuditEvent {
  return {
    id,
    event: event.event,
    occurredAt: at,
    userId: bounded(event.userId, 255),
    clientId: bounded(event.clientId, 255),
    actorId: bounded(event.actorId, 255),
    requestId: bounded(currentRequestId(), 128),
    details,
  };
}

/** A column value within its VARCHAR size and without NUL (request-supplied ids may be either). */
function bounded(value: string | null | undefined, max: number): string | null {
  if (value === null || value === undefined) return null;
  return value.replaceAll('\u0000', '').slice(0, max);
}
