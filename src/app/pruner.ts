import type { Repositories } from '../repositories/repositories.js';
import type { Clock, Logger } from '../repositories/ports.js';
import type { LeaseStore } from '../storage/storage.js';
import type { AuditEventRepository } from '../repositories/audit-event-repository.js';

/** Rows deleted per statement: short statements, so requests never wait long behind a prune. */
export const PRUNE_BATCH_SIZE = 1000;

/** The lease the pruning instances take turns on (`authly_leases.name`). */
export const PRUNE_LEASE = 'prune';

/** What one prune removed. */
export interface PruneReport {
  tokens: number;
  authorizationCodes: number;
  signingKeys: number;
  /** Expired device authorization requests (RFC 8628); absent when not pruned. */
  deviceCodes?: number;
  /** Expired pushed authorization requests (RFC 9126). */
  pushedRequests: number;
  /** Expired assertion and DPoP proof `jti`s. */
  replayGuards: number;
  /** Audit events past `audit.retention_days`; present when that retention applies. */
  auditEvents?: number;
}

/** `audit.retention_days` over the `audit_events` table. */
export interface AuditRetention {
  repository: AuditEventRepository;
  /** Days kept; 0 keeps them forever. */
  retentionDays: number;
}

/** What is pruned, and how. */
export interface PruneOptions {
  /** Rows per DELETE; default {@link PRUNE_BATCH_SIZE}. */
  batchSize?: number;
  /** Asked between batches; true stops early (shutdown). */
  stopped?: () => boolean;
  /** Also deletes audit events older than the retention. */
  audit?: AuditRetention;
}

async function inBatches(deleteBatch: (limit: number) => Promise<number>, options: PruneOptions): Promise<number> {
  const limit = options.batchSize ?? PRUNE_BATCH_SIZE;
  let total = 0;
  for (;;) {
    const deleted = await deleteBatch(limit);
    total += deleted;
    if (deleted < limit || options.stopped?.()) return total;
  }
}

/**
 * Deletes expired tokens, expired authorization codes, retired signing keys past their
 * publication, expired pushed requests and replay records, all but keys in batches. Expired rows are dead weight: an expired token or
 * code is refused whether or not its row exists, and such a key is no longer published. Shared
 * by `authly db prune` and the in-process {@link Pruner}.
 */
export async function pruneExpired(
  repos: Pick<Repositories, 'tokens' | 'authorizationCodes' | 'signingKeys' | 'pushedRequests' | 'replayGuard'> & Partial<Pick<Repositories, 'deviceCodes'>>,
  now: Date,
  options: PruneOptions = {},
): Promise<PruneReport> {
  const tokens = await inBatches((limit) => repos.tokens.deleteExpired(now, limit), options);
  const authorizationCodes = await inBatches((limit) => repos.authorizationCodes.deleteExpired(now, limit), options);
  // A handful of rows at most: one statement.
  const signingKeys = await repos.signingKeys.deleteExpired(now);
  const pushedRequests = await inBatches((limit) => repos.pushedRequests.deleteExpired(now, limit), options);
  const replayGuards = await inBatches((limit) => repos.replayGuard.deleteExpired(now, limit), options);
  const deviceRepo = repos.deviceCodes;
  const deviceCodes = deviceRepo ? await inBatches((limit) => deviceRepo.deleteExpired(now, limit), options) : undefined;
  const report: PruneReport = { tokens, authorizationCodes, signingKeys, pushedRequests, replayGuards, ...(deviceCodes !== undefined ? { deviceCodes } : {}) };
  const audit = options.audit;
  if (!audit || audit.retentionDays === 0) return report;
  const cutoff = new Date(now.getTime() - audit.retentionDays * 86_400_000);
  const auditEvents = await inBatches((limit) => audit.repository.deleteOlderThan(cutoff, limit), options);
  return { ...report, auditEvents };
}

/** What a {@link Pruner} works with. */
export interface PrunerOptions {
  repositories: Pick<Repositories, 'tokens' | 'authorizationCodes' | 'signingKeys' | 'pushedRequests' | 'replayGuard'> & Partial<Pick<Repositories, 'deviceCodes'>>;
  leases: LeaseStore;
  clock: Clock;
  logger: Logger;
  /** `database.prune_interval_seconds`; also the term of the lease. */
  intervalSeconds: number;
  /** Names this instance in `authly_leases.holder`. */
  holder: string;
  batchSize?: number;
  audit?: AuditRetention;
}

/**
 * `database.prune_interval_seconds`: runs {@link pruneExpired} every interval in the server. Each
 * run first takes the `prune` lease for one interval; the lease can be taken only once its term
 * has ended, so however many instances share the database, one of them prunes per interval (and
 * if it stops, another takes over at the next interval).
 */
export class Pruner {
  readonly #o: PrunerOptions;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<unknown> | undefined;
  #stopped = false;

  constructor(options: PrunerOptions) {
    this.#o = options;
  }

  /**
   * Prunes now if this instance gets the lease; `undefined` when another instance holds it.
   * Errors (the database away) are the caller's; the timer logs them and tries next interval.
   */
  async runOnce(): Promise<PruneReport | undefined> {
    const { clock, leases, holder, intervalSeconds } = this.#o;
    const now = clock.now();
    const until = new Date(now.getTime() + intervalSeconds * 1000);
    if (!(await leases.acquire(PRUNE_LEASE, holder, now, until))) return undefined;
    const report = await pruneExpired(this.#o.repositories, now, { batchSize: this.#o.batchSize, stopped: () => this.#stopped, ...(this.#o.audit ? { audit: this.#o.audit } : {}) });
    this.#o.logger.info({ ...report, holder }, 'pruned expired rows');
    return report;
  }

  /** Runs every interval from now on (the first run one interval after start). */
  start(): void {
    if (this.#stopped || this.#timer) return;
    this.#timer = setInterval(() => {
      if (this.#running) return;
      this.#running = this.runOnce()
        .catch((error: unknown) => this.#o.logger.warn({ err: error }, 'pruning failed; trying again next interval'))
        .finally(() => (this.#running = undefined));
    }, this.#o.intervalSeconds * 1000);
    // The timer alone must not keep the process alive.
    this.#timer.unref();
  }

  /** Stops the timer and waits for a running prune (which stops after its current batch). */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }
}
