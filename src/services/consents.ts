import type { Consent, ConsentListing } from '../domain/consent.js';
import type { Repositories } from '../repositories/repositories.js';
import type { Clock, Logger } from '../repositories/ports.js';
import { isSubsetOf } from '../protocol/scope.js';

/** One grant as `GET {P}/users/me/grants` and the admin API list it. */
export interface GrantView {
  grant_id: string;
  client_id: string;
  client_name: string;
  scopes: string[];
  created_at: string;
}

// A grant id is a UUID; anything else cannot name one (and PostgreSQL would refuse to compare it).
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Records the user's consent to `scopes` for the client (widening a live one). */
export function rememberConsent(repos: Pick<Repositories, 'consents'>, userId: string, clientId: string, scopes: readonly string[], now: Date): Promise<Consent> {
  return repos.consents.remember(userId, clientId, scopes, now);
}

/**
 * The user's live consent for the client when it covers every requested scope (OIDC Core
 * §3.1.2.4): then a user with a live session is not asked again.
 */
export async function coveringConsent(
  repos: Pick<Repositories, 'consents'>,
  userId: string,
  clientId: string,
  scopes: readonly string[],
): Promise<Consent | undefined> {
  const live = await repos.consents.findLive(userId, clientId);
  return live && isSubsetOf(scopes, live.scopes) ? live : undefined;
}

function toView(consent: ConsentListing): GrantView {
  return {
    grant_id: consent.id,
    client_id: consent.clientIdentifier,
    client_name: consent.clientName,
    scopes: consent.scopes,
    created_at: consent.createdAt.toISOString(),
  };
}

/**
 * A user's grants (remembered consents): listing them, and revoking one with every code and
 * token issued under it.
 */
export class GrantService {
  readonly #repos: Repositories;
  readonly #clock: Clock;
  readonly #logger: Logger | undefined;

  constructor(deps: { repos: Repositories; clock: Clock; logger?: Logger }) {
    this.#repos = deps.repos;
    this.#clock = deps.clock;
    this.#logger = deps.logger;
  }

  /** The user's live grants, oldest first. */
  async list(userId: string): Promise<GrantView[]> {
    return (await this.#repos.consents.listLive(userId)).map(toView);
  }

  /**
   * Revokes the user's grant `grantId`; `false` when the user has no such live grant (someone
   * else's included). Each code issued under it names a token family (its tokens and their
   * refresh chain): each family is revoked durably, so a code not yet redeemed, or an exchange or
   * refresh in flight, yields no live token either (RFC 9700 §4.14.2's family rule).
   */
  async revoke(userId: string, grantId: string): Promise<boolean> {
    if (!UUID.test(grantId)) return false;
    const now = this.#clock.now();
    const consent = await this.#repos.consents.revoke(userId, grantId, now);
    if (!consent) return false;
    let revoked = 0;
    for (const family of await this.#repos.authorizationCodes.idsByConsent(consent.id)) revoked += await this.#repos.tokens.revokeFamily(family, now);
    this.#logger?.info({ event: 'grant.revoked', grantId: consent.id, userId, revoked }, 'grant revoked with its tokens');
    return true;
  }
}
