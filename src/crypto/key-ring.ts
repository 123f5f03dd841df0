import type { SigningKey } from '../domain/signing-key.js';
import type { SigningKeyRepository } from '../repositories/signing-key-repository.js';
import type { Clock, Logger } from '../repositories/ports.js';
import { supersededKeys } from './key-schedule.js';

/** How a {@link KeyRing} is built. */
export interface KeyRingOptions {
  repository: SigningKeyRepository;
  clock: Clock;
  rotationDelaySeconds: number;
  maxTokenLifetimeSeconds: number;
  refreshIntervalSeconds: number;
  logger?: Logger | undefined;
  /** Called with the stored kids after each read (to drop cached key material of deleted keys). */
  onLoad?: (kids: ReadonlySet<string>) => void;
}

const UNKNOWN_KID_LIMIT = 1024;

/**
 * The keys of `oidc_jwks_keys` as one instance sees them: read in full (there are a handful),
 * re-read every `refreshIntervalSeconds` so keys staged or retired by other instances are seen,
 * and retired lazily — each read retires the keys a promoted key has superseded (key-schedule.ts).
 */
export class KeyRing {
  readonly #options: KeyRingOptions;
  #rows = new Map<string, SigningKey>();
  #loadedAt: number | undefined;
  #loading: Promise<SigningKey[]> | undefined;
  #queued: Promise<SigningKey[]> | undefined;
  readonly #unknownKids = new Set<string>();

  constructor(options: KeyRingOptions) {
    this.#options = options;
  }

  /** Every known key (as of the last read, plus keys created or found since). */
  keys(): SigningKey[] {
    return [...this.#rows.values()];
  }

  /**
   * Re-reads every key, then retires superseded ones (`publishUntil = now + max token lifetime`).
   * The read always starts after the call (a read already running may predate a write the caller
   * made); callers arriving while one is running share the next one.
   */
  refresh(now?: Date): Promise<SigningKey[]> {
    if (this.#queued) return this.#queued;
    const running = this.#loading;
    if (running === undefined) return this.#startLoad(now);
    this.#queued = running
      .catch(() => undefined)
      .then(() => {
        this.#queued = undefined;
        return this.#startLoad(now);
      });
    return this.#queued;
  }

  /**
   * Re-reads when the last read is older than the refresh interval. On the signing path a failed
   * read is logged and the previous keys are kept: a database hiccup must not stop token issuance.
   */
  async freshen(now: Date): Promise<void> {
    const age = now.getTime() - (this.#loadedAt ?? Number.NEGATIVE_INFINITY);
    if (age >= 0 && age < this.#options.refreshIntervalSeconds * 1000) return;
    try {
      await (this.#loading ?? this.refresh());
    } catch (error) {
      if (this.#loadedAt === undefined) throw error;
      this.#options.logger?.warn({ err: error }, 'could not re-read signing keys; using the previous list');
    }
  }

  /** The key named `kid`: from memory, else from the repository (another instance may have made it). */
  async find(kid: string): Promise<SigningKey | undefined> {
    const known = this.#rows.get(kid);
    if (known !== undefined || this.#unknownKids.has(kid)) return known;
    const found = await this.#options.repository.findByKid(kid);
    if (found) this.#rows.set(kid, found);
    // A kid is a thumbprint of a fresh key: it cannot be presented before it exists, so remembering
    // misses (until the next read) is safe, and stops forged kids from costing a query each.
    else if (this.#unknownKids.size < UNKNOWN_KID_LIMIT) this.#unknownKids.add(kid);
    return found;
  }

  /** Records a key this instance just stored. */
  remember(key: SigningKey): void {
    this.#rows.set(key.kid, key);
  }

  /**
   * The `created_at` for a new key of `algorithm`: the schedule orders keys by it, so a key made
   * in the same millisecond as the previous one (a first key, then a rotation) still sorts after it.
   */
  nextCreatedAt(algorithm: string): Date {
    const times = this.keys().filter((key) => key.algorithm === algorithm).map((key) => key.createdAt.getTime());
    return new Date(Math.max(this.#options.clock.now().getTime(), Math.max(...times) + 1));
  }

  #startLoad(now: Date | undefined): Promise<SigningKey[]> {
    const load = this.#load(now).finally(() => {
      if (this.#loading === load) this.#loading = undefined;
    });
    this.#loading = load;
    return load;
  }

  async #load(at: Date | undefined): Promise<SigningKey[]> {
    const { repository, clock, rotationDelaySeconds, maxTokenLifetimeSeconds, logger } = this.#options;
    const rows = await repository.list();
    const now = at ?? clock.now();
    const publishUntil = new Date(now.getTime() + maxTokenLifetimeSeconds * 1000);
    const superseded = new Set(supersededKeys(rows, now, rotationDelaySeconds).map((key) => key.kid));
    const current = await Promise.all(
      rows.map(async (key) => {
        if (!superseded.has(key.kid)) return key;
        try {
          // Several instances may retire the same key; the last write wins, and every value is safe.
          await repository.retire(key.kid, publishUntil);
        } catch (error) {
          // Retiring is bookkeeping: the schedule already stopped this key from signing.
          logger?.warn({ kid: key.kid, err: error }, 'could not retire superseded signing key');
          return key;
        }
        logger?.info({ kid: key.kid, publishUntil }, 'retired superseded signing key');
        return { ...key, isActive: false, expiresAt: publishUntil };
      }),
    );
    this.#rows = new Map(current.map((key) => [key.kid, key]));
    this.#unknownKids.clear();
    this.#loadedAt = clock.now().getTime();
    this.#options.onLoad?.(new Set(this.#rows.keys()));
    return current;
  }
}
