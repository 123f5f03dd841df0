import type { Keystore } from '../../crypto/keystore.js';
import type { RandomSource } from '../../crypto/random.js';
import { outboundRequest, type OutboundPolicy, type OutboundRequest, type OutboundResponse } from '../../net/outbound-request.js';
import { idTokenAlgorithm } from '../../protocol/oidc/id-token.js';
import type { LogoutNotice } from '../../repositories/backchannel-logout-repository.js';
import type { Repositories } from '../../repositories/repositories.js';
import type { Clock, Logger } from '../../repositories/ports.js';

/** OIDC Back-Channel Logout 1.0 §2.4: the event a logout token carries. */
export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
/** §2.4: logout tokens are explicitly typed (RFC 8725 §3.11). */
export const LOGOUT_TOKEN_TYP = 'logout+jwt';
/** A logout token is short-lived: it is made fresh for each attempt. */
const LOGOUT_TOKEN_TTL_SECONDS = 120;
/** Notices claimed per round. */
const BATCH = 20;
/** The longest wait between two attempts. */
const MAX_BACKOFF_SECONDS = 3600;

/** `backchannel_logout` settings. */
export interface LogoutDeliverySettings {
  allowPrivateTargets: boolean;
  timeoutMs: number;
  maxAttempts: number;
  retryBaseSeconds: number;
  pollIntervalMs: number;
}

/** What delivery needs; `send` is the SSRF-guarded outbound request unless a test replaces it. */
export interface LogoutDeliveryDeps {
  repos: Repositories;
  keystore: Pick<Keystore, 'sign'>;
  clock: Clock;
  random: RandomSource;
  logger: Logger;
  settings: LogoutDeliverySettings;
  send?: (request: OutboundRequest, policy: OutboundPolicy) => Promise<OutboundResponse>;
}

/**
 * Delivers logout notices from the durable outbox (OIDC Back-Channel Logout 1.0 §2.5): every
 * `poll_interval_ms` it claims due notices (a lease in the database, so instances never deliver
 * one twice at once and a crashed holder's notices become due again), POSTs a freshly signed
 * logout token to each client's `backchannel_logout_uri`, and on failure retries with
 * exponential back-off until `max_attempts`. Requests never wait for it.
 */
export class LogoutDelivery {
  readonly #deps: LogoutDeliveryDeps;
  readonly #send: NonNullable<LogoutDeliveryDeps['send']>;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;

  constructor(deps: LogoutDeliveryDeps) {
    this.#deps = deps;
    this.#send = deps.send ?? outboundRequest;
  }

  /** Starts the periodic rounds; idempotent. */
  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => void this.runOnce(), this.#deps.settings.pollIntervalMs);
    this.#timer.unref();
  }

  /** Stops the rounds and waits for the one in progress. */
  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }

  /** One round (rounds never overlap); errors are logged, never thrown. */
  runOnce(): Promise<void> {
    this.#running ??= this.#round()
      .catch((error: unknown) => this.#deps.logger.warn({ err: error }, 'back-channel logout: delivery round failed'))
      .finally(() => {
        this.#running = undefined;
      });
    return this.#running;
  }

  async #round(): Promise<void> {
    const { repos, clock, settings } = this.#deps;
    const now = clock.now();
    // The lease outlasts one attempt by far, so a live holder keeps its claim.
    const leaseUntil = new Date(now.getTime() + Math.max(60_000, settings.timeoutMs * 4));
    const notices = await repos.backchannelLogout.claimDue(now, leaseUntil, BATCH);
    await Promise.all(notices.map((notice) => this.#deliver(notice)));
  }

  async #deliver(notice: LogoutNotice): Promise<void> {
    const { repos, logger, settings } = this.#deps;
    const client = await repos.clients.findById(notice.clientId);
    const uri = client?.isActive ? client.backchannelLogoutUri : null;
    if (!client || !uri) {
      await repos.backchannelLogout.remove(notice.id);
      return;
    }
    try {
      const token = await this.#logoutToken(notice, client);
      const response = await this.#send(
        { method: 'POST', url: uri, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ logout_token: token }).toString() },
        { allowPrivateTargets: settings.allowPrivateTargets, timeoutMs: settings.timeoutMs, maxBytes: 64 * 1024 },
      );
      // §2.8: 200 is success (204 is accepted too); anything else is retried.
      if (response.status !== 200 && response.status !== 204) throw new Error(`the client answered ${response.status}`);
      await repos.backchannelLogout.remove(notice.id);
      logger.info({ event: 'backchannel_logout.delivered', clientId: client.clientId, attempts: notice.attempts + 1 }, 'back-channel logout delivered');
    } catch (error) {
      await this.#failed(notice, client.clientId, (error as Error).message);
    }
  }

  async #failed(notice: LogoutNotice, clientId: string, reason: string): Promise<void> {
    const { repos, clock, logger, settings } = this.#deps;
    const attempts = notice.attempts + 1;
    if (attempts >= settings.maxAttempts) {
      await repos.backchannelLogout.remove(notice.id);
      logger.warn({ event: 'backchannel_logout.abandoned', clientId, attempts, reason }, 'back-channel logout abandoned after the last attempt');
      return;
    }
    const delay = Math.min(MAX_BACKOFF_SECONDS, settings.retryBaseSeconds * 2 ** (attempts - 1));
    await repos.backchannelLogout.retryLater(notice.id, attempts, new Date(clock.now().getTime() + delay * 1000), reason);
    logger.warn({ event: 'backchannel_logout.retry', clientId, attempts, delaySeconds: delay, reason }, 'back-channel logout failed; will retry');
  }

  /** §2.4: iss, aud, iat, exp, jti, events, sub and sid; never a nonce. Signed like the client's ID tokens. */
  #logoutToken(notice: LogoutNotice, client: Parameters<typeof idTokenAlgorithm>[0]): Promise<string> {
    const iat = Math.floor(this.#deps.clock.now().getTime() / 1000);
    return this.#deps.keystore.sign(
      {
        iss: notice.issuer,
        aud: client.clientId,
        iat,
        exp: iat + LOGOUT_TOKEN_TTL_SECONDS,
        jti: this.#deps.random.uuid(),
        events: { [BACKCHANNEL_LOGOUT_EVENT]: {} },
        sub: notice.sub,
        sid: notice.sid,
      },
      { typ: LOGOUT_TOKEN_TYP, algorithm: idTokenAlgorithm(client) },
    );
  }
}
