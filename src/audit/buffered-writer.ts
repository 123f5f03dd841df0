import type { RecordedAuditEvent } from './events.js';
import type { AuditEventRepository } from '../repositories/audit-event-repository.js';
import type { Logger } from '../repositories/ports.js';
import { StorageUnavailableError } from '../repositories/errors.js';

/** How a {@link BufferedAuditWriter} batches. */
export interface BufferedWriterOptions {
  repository: AuditEventRepository;
  logger: Logger;
  /** Longest an event waits before it is written; default 1000 ms. */
  flushIntervalMs?: number;
  /** Events per INSERT; a full batch is written at once. Default 100. */
  batchSize?: number;
  /** Events held while the database is away; beyond it new events are dropped (and counted). Default 10,000. */
  maxBuffered?: number;
}

/**
 * Writes audit events to the database in batches, off the request path: a request hands its
 * event over and answers without waiting for the INSERT. Events wait at most one interval; while
 * the database is away they are kept (up to a bound) and written when it answers again.
 * `close()` writes what is left, so a graceful shutdown loses nothing.
 */
export class BufferedAuditWriter {
  readonly #o: Required<BufferedWriterOptions>;
  #buffer: RecordedAuditEvent[] = [];
  #timer: NodeJS.Timeout | undefined;
  #writing: Promise<void> = Promise.resolve();
  #dropped = 0;

  constructor(options: BufferedWriterOptions) {
    this.#o = { flushIntervalMs: 1000, batchSize: 100, maxBuffered: 10_000, ...options };
  }

  /** Queues one event. */
  add(event: RecordedAuditEvent): void {
    if (this.#buffer.length >= this.#o.maxBuffered) {
      this.#dropped += 1;
      return;
    }
    this.#buffer.push(event);
    if (this.#buffer.length >= this.#o.batchSize) void this.flush();
    else this.#schedule();
  }

  /** Writes every queued event now; resolves once written (or, on failure, re-queued). */
  flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#writing = this.#writing.then(() => this.#writeAll());
    return this.#writing;
  }

  /** Stops the timer and writes what is queued. */
  async close(): Promise<void> {
    await this.flush();
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #schedule(): void {
    if (this.#timer) return;
    this.#timer = setTimeout(() => void this.flush(), this.#o.flushIntervalMs);
    // A pending write alone must not keep the process alive; close() flushes it.
    this.#timer.unref();
  }

  async #writeAll(): Promise<void> {
    if (this.#dropped > 0) {
      this.#o.logger.warn({ dropped: this.#dropped }, 'audit: database sink buffer full; events dropped (they are still in the log)');
      this.#dropped = 0;
    }
    while (this.#buffer.length > 0) {
      const batch = this.#buffer.splice(0, this.#o.batchSize);
      try {
        await this.#o.repository.insertMany(batch);
      } catch (error) {
        if (!(error instanceof StorageUnavailableError)) {
          // Not an outage: retrying the same rows would fail forever. They are in the log.
          this.#o.logger.error({ err: error, lost: batch.length }, 'audit: events could not be written to the database');
          continue;
        }
        // Kept for the next interval, ahead of newer events.
        this.#buffer.unshift(...batch);
        this.#o.logger.warn({ err: error, pending: this.#buffer.length }, 'audit: writing events failed; retrying next interval');
        this.#schedule();
        return;
      }
    }
  }
}
