import type { RandomSource } from '../crypto/random.js';
import { TokenVerificationError, type TokenSigner } from '../crypto/token-signer.js';
import type { Clock } from '../repositories/ports.js';

/** A browser's login, as remembered by the `authly_session` cookie. */
export interface BrowserSession {
  userId: string;
  authTime: Date;
  sid: string;
}

/** RFC 8725 §3.11: a distinct `typ`, so no other token of ours passes as a session. */
const SESSION_TYP = 'session+jwt';

/**
 * Stateless browser sessions: a JWT signed with the server's keys, so every instance can read
 * it (DESIGN.md §5) without a session table. It only remembers who logged in and when
 * (OIDC Core §3.1.2.1 `max_age`, `prompt=login`); tokens are never derived from it alone.
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

  /** A cookie value for a login that happened at `authTime`. */
  async issue(userId: string, authTime: Date): Promise<string> {
    const iat = Math.floor(this.#clock.now().getTime() / 1000);
    return this.#signer.sign(
      { sub: userId, auth_time: Math.floor(authTime.getTime() / 1000), sid: this.#random.token(16), iat, exp: iat + this.#ttlSeconds },
      { typ: SESSION_TYP },
    );
  }

  /** The session behind a cookie value, or `undefined` when absent, forged or expired. */
  async read(cookie: string | undefined): Promise<BrowserSession | undefined> {
    if (!cookie) return undefined;
    try {
      const { claims } = await this.#signer.verify(cookie, { typ: SESSION_TYP, currentDate: this.#clock.now() });
      if (typeof claims.sub !== 'string' || typeof claims.auth_time !== 'number' || typeof claims.sid !== 'string') return undefined;
      return { userId: claims.sub, authTime: new Date(claims.auth_time * 1000), sid: claims.sid };
    } catch (err) {
      if (err instanceof TokenVerificationError) return undefined;
      throw err;
    }
  }
}
