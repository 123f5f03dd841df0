import type { RandomSource } from '../crypto/random.js';
import { TokenVerificationError, type TokenSigner } from '../crypto/token-signer.js';
import type { Clock } from '../repositories/ports.js';

/** A browser's login, as remembered by the `authly_session` cookie. */
export interface BrowserSession {
  userId: string;
  authTime: Date;
  sid: string;
  /** The user's session epoch when the session began; it is dead once the user's epoch moved on. */
  epoch: number;
}

/** RFC 8725 §3.11: a distinct `typ`, so no other token of ours passes as a session. */
const SESSION_TYP = 'session+jwt';

/**
 * Browser sessions as signed JWTs, so every instance can read them without a session table. A
 * session remembers who logged in and when (OIDC Core §3.1.2.1 `max_age`, `prompt=login`) and
 * the user's session epoch at that moment; whoever honours one must compare that epoch with the
 * user's current one (`OAuthService.browserSession`), which is how a logout, a password change
 * or a deactivation ends sessions that are still signed and unexpired. Tokens are never derived
 * from a session alone.
 */
export class BrowserSessions {
  readonly #signer: TokenSigner;
  readonly #clock: Clock;
  readonly #random: RandomSource;
  readonly #ttlSeconds: number;

  constructor(deps: { signer: TokenSigner; clock: Clock; random: RandomSource; ttlSeconds: number }) {
    this.#signer = deps.signer;
    this.#clock = deps.clock;
    this.#random = deps.random;
    this.#ttlSeconds = deps.ttlSeconds;
  }

  /** How long the cookie lives, in seconds. */
  get ttlSeconds(): number {
    return this.#ttlSeconds;
  }

  /**
   * A cookie value for a login that happened at `authTime`, in the user's current session epoch.
   * `sid` is given when it was already handed out (in a code or device grant, for the ID token).
   */
  async issue(user: { id: string; sessionEpoch: number }, authTime: Date, sid?: string): Promise<string> {
    const iat = Math.floor(this.#clock.now().getTime() / 1000);
    return this.#signer.sign(
      {
        sub: user.id,
        auth_time: Math.floor(authTime.getTime() / 1000),
        sid: sid ?? this.#random.token(16),
        epoch: user.sessionEpoch,
        iat,
        exp: iat + this.#ttlSeconds,
      },
      { typ: SESSION_TYP },
    );
  }

  /**
   * The session behind a cookie value, or `undefined` when absent, forged or expired. A cookie
   * without an epoch predates revocable sessions and is refused. The epoch is not checked here.
   */
  async read(cookie: string | undefined): Promise<BrowserSession | undefined> {
    if (!cookie) return undefined;
    try {
      const { claims } = await this.#signer.verify(cookie, { typ: SESSION_TYP, currentDate: this.#clock.now() });
      const { sub, auth_time: authTime, sid, epoch } = claims;
      if (typeof sub !== 'string' || typeof authTime !== 'number' || typeof sid !== 'string' || !Number.isSafeInteger(epoch)) return undefined;
      return { userId: sub, authTime: new Date(authTime * 1000), sid, epoch: epoch as number };
    } catch (err) {
      if (err instanceof TokenVerificationError) return undefined;
      throw err;
    }
  }
}
