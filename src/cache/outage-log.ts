import type { Logger } from '../repositories/ports.js';

/**
 * Logs a Redis outage once: the first failure of any connection logs a warning, later failures
 * (every reconnect attempt, every failed command) stay quiet until every connection that failed
 * is ready again, which logs one recovery line.
 */
export class OutageLog {
  readonly #logger: Logger;
  readonly #target: string;
  readonly #down = new Set<string>();

  /** `target` names the server in log lines (host:port, never the URL: it may hold a password). */
  constructor(logger: Logger, target: string) {
    this.#logger = logger;
    this.#target = target;
  }

  /** True while some connection is known to be failing. */
  get down(): boolean {
    return this.#down.size > 0;
  }

  /** `source` (a connection name) failed. */
  failure(source: string, error: unknown): void {
    if (this.#down.has(source)) return;
    if (this.#down.size === 0) {
      this.#logger.warn(
        { err: error, redis: this.#target, source },
        'cache: Redis unreachable; serving from the database until it returns',
      );
    }
    this.#down.add(source);
  }

  /** `source` works again. */
  recovered(source: string): void {
    if (!this.#down.delete(source) || this.#down.size > 0) return;
    this.#logger.info({ redis: this.#target }, 'cache: Redis reachable again; caching resumed');
  }
}
