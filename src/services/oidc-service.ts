import type { Keystore } from '../crypto/keystore.js';
import { TokenVerificationError } from '../crypto/token-signer.js';
import type { UserPatch } from '../domain/user.js';
import type { Repositories } from '../repositories/repositories.js';
import type { Clock } from '../repositories/ports.js';
import { openIdConfiguration } from '../protocol/oidc/discovery.js';
import { DEFAULT_FEATURES, type DiscoveryFeatures, type ServerFeatures } from '../protocol/discovery.js';
import { userInfoDocument } from '../protocol/oidc/claims.js';
import { isRegisteredRedirectUri } from '../protocol/redirect.js';
import type { BearerPrincipal } from './authenticate-bearer.js';
import { preferredUsernameProblem } from './users/preferred-username.js';

/** A UserInfo failure Authly answers with a Detail body. */
export class UserInfoError extends Error {
  override readonly name = 'UserInfoError';
  readonly status: number;
  readonly headers: Record<string, string>;

  constructor(status: number, detail: string, headers: Record<string, string> = {}) {
    super(detail);
    this.status = status;
    this.headers = headers;
  }
}

/** The profile claims `PUT /oidc/userinfo` may change, and their columns. */
const UPDATABLE: Record<string, { scope: string; field: keyof UserPatch }> = {
  given_name: { scope: 'profile', field: 'givenName' },
  family_name: { scope: 'profile', field: 'familyName' },
  middle_name: { scope: 'profile', field: 'middleName' },
  nickname: { scope: 'profile', field: 'nickname' },
  preferred_username: { scope: 'profile', field: 'preferredUsername' },
  profile: { scope: 'profile', field: 'profile' },
  picture: { scope: 'profile', field: 'picture' },
  website: { scope: 'profile', field: 'website' },
  gender: { scope: 'profile', field: 'gender' },
  birthdate: { scope: 'profile', field: 'birthdate' },
  zoneinfo: { scope: 'profile', field: 'zoneinfo' },
  locale: { scope: 'profile', field: 'locale' },
  phone_number: { scope: 'phone', field: 'phoneNumber' },
  address: { scope: 'address', field: 'address' },
};

const OPENID_CHALLENGE = { 'WWW-Authenticate': 'Bearer error="insufficient_scope", scope="openid"' };

/** What `GET /oidc/logout` decided (OIDC RP-Initiated Logout 1.0 §2–3). */
export type LogoutResult = { kind: 'page' } | { kind: 'redirect'; location: string };

/** OIDC endpoints beyond the OAuth core: UserInfo, discovery, logout. */
export class OidcService {
  readonly #repos: Repositories;
  readonly #keystore: Pick<Keystore, 'verify' | 'algorithms'>;
  readonly #clock: Clock;
  readonly #logoutHintGraceMs: number;
  readonly #reservedNames: readonly string[];
  readonly #features: ServerFeatures;

  /**
   * `logoutHintGraceSeconds`: how long past its `exp` an ID token still serves as a logout
   * `id_token_hint` (the browser session lifetime, `tokens.session_expire_minutes`).
   * `reservedNames`: names no user may take as `preferred_username` (the configured admin's).
   */
  constructor(deps: {
    repos: Repositories;
    keystore: Pick<Keystore, 'verify' | 'algorithms'>;
    clock: Clock;
    logoutHintGraceSeconds: number;
    reservedNames?: readonly string[];
    /** What discovery advertises beyond the fixed capabilities (PAR requirement, DPoP algorithms). */
    features?: ServerFeatures;
    /** Registration and back-channel logout switches, over `features`. */
    discovery?: DiscoveryFeatures;
  }) {
    this.#features = { ...(deps.features ?? DEFAULT_FEATURES), ...deps.discovery };
    this.#repos = deps.repos;
    this.#keystore = deps.keystore;
    this.#clock = deps.clock;
    this.#logoutHintGraceMs = deps.logoutHintGraceSeconds * 1000;
    this.#reservedNames = deps.reservedNames ?? [];
  }

  /** OIDC Core §5.3: the claims the token's scopes release; `openid` is required. */
  userInfo(principal: BearerPrincipal): Record<string, unknown> {
    if (!principal.scopes.includes('openid') || !principal.user) {
      throw new UserInfoError(403, "UserInfo endpoint requires 'openid' scope", OPENID_CHALLENGE);
    }
    return userInfoDocument(principal.user, principal.scopes);
  }

  /**
   * Authly's `PUT /oidc/userinfo`: updates the claims the scopes allow; `name` is derived, so
   * ignored. A `preferred_username` that is reserved or another account's name is 400.
   */
  async updateUserInfo(principal: BearerPrincipal, body: Record<string, unknown>): Promise<Record<string, unknown>> {
    if (!principal.scopes.includes('openid') || !principal.user) {
      throw new UserInfoError(403, "UserInfo update requires 'openid' scope", OPENID_CHALLENGE);
    }
    const patch: Record<string, unknown> = {};
    for (const [claim, value] of Object.entries(body)) {
      const rule = UPDATABLE[claim];
      if (rule && value !== null && value !== undefined && principal.scopes.includes(rule.scope)) patch[rule.field] = value;
    }
    if (Object.keys(patch).length === 0) {
      throw new UserInfoError(400, 'No valid OIDC claims provided for update, or insufficient scope for requested claims');
    }
    if (typeof patch.preferredUsername === 'string') {
      const problem = await preferredUsernameProblem(patch.preferredUsername, principal.user, { repos: this.#repos, reservedNames: this.#reservedNames });
      if (problem) throw new UserInfoError(400, problem);
    }
    const updated = await this.#repos.users.update(principal.user.id, patch as UserPatch);
    if (!updated) throw new UserInfoError(404, 'User not found');
    return userInfoDocument(updated, principal.scopes);
  }

  /** The discovery document for this issuer. */
  async discovery(issuer: string): Promise<Record<string, unknown>> {
    const scopes = await this.#repos.scopes.list({ limit: 100, offset: 0 });
    const algorithms = (await this.#keystore.algorithms()).filter((a) => a !== 'HS256');
    const idTokenAlgorithms = [...new Set(['RS256', 'ES256', 'EdDSA', ...algorithms])];
    return openIdConfiguration(issuer, scopes.map((s) => s.scopeName), idTokenAlgorithms, this.#features);
  }

  /**
   * RP-initiated logout (OIDC RP-Initiated Logout 1.0 §2–3): a verified `id_token_hint` names the
   * user and the client (its `aud`); that user's tokens at that client are revoked, and a
   * registered `post_logout_redirect_uri` gets `state`. An RP may log out after its ID token
   * expired, so an expired hint is accepted for the browser session's lifetime past its `exp`;
   * an older one counts as no hint (no revocation, no redirect), so a leaked old ID token is no
   * lasting lever over the user's tokens. Tokens at other clients are not the RP's to end.
   */
  async logout(input: { idTokenHint?: string; postLogoutRedirectUri?: string; state?: string }): Promise<LogoutResult> {
    const hint = input.idTokenHint ? await this.#verifyHint(input.idTokenHint) : undefined;
    if (!hint) {
      if (input.postLogoutRedirectUri) throw new UserInfoError(400, 'post_logout_redirect_uri requires valid id_token_hint');
      return { kind: 'page' };
    }
    const client = await this.#repos.clients.findByClientId(hint.aud);
    if (client) await this.#repos.tokens.invalidateByUserAndClient(hint.sub, client.id, this.#clock.now());
    if (!input.postLogoutRedirectUri) return { kind: 'page' };
    // No post_logout_redirect_uris column exists: the registered redirect URIs serve.
    if (!client || !isRegisteredRedirectUri(input.postLogoutRedirectUri, client.redirectUris)) {
      throw new UserInfoError(400, 'Could not validate post_logout_redirect_uri');
    }
    const url = new URL(input.postLogoutRedirectUri);
    if (input.state) url.searchParams.append('state', input.state);
    return { kind: 'redirect', location: url.toString() };
  }

  async #verifyHint(token: string): Promise<{ sub: string; aud: string } | undefined> {
    try {
      // Judged as of the grace window's start: the signature must be ours and `exp` may have
      // passed, but by no more than the grace.
      const currentDate = new Date(this.#clock.now().getTime() - this.#logoutHintGraceMs);
      const { claims } = await this.#keystore.verify(token, { typ: 'JWT', currentDate });
      const aud = Array.isArray(claims.aud) ? claims.aud[0] : claims.aud;
      if (typeof claims.sub !== 'string' || typeof aud !== 'string') return undefined;
      return { sub: claims.sub, aud };
    } catch (err) {
      if (err instanceof TokenVerificationError) return undefined;
      throw err;
    }
  }
}
