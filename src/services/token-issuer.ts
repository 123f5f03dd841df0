import type { Client } from '../domain/client.js';
import type { NewToken } from '../domain/token.js';
import type { User } from '../domain/user.js';
import { credentialDigest } from '../crypto/digest.js';
import type { RandomSource } from '../crypto/random.js';
import type { JwtClaims, TokenSigner } from '../crypto/token-signer.js';
import type { Repositories } from '../repositories/repositories.js';
import type { Clock } from '../repositories/ports.js';
import { InvalidGrant } from '../protocol/errors.js';
import { formatScope } from '../protocol/scope.js';
import type { OAuthSettings } from './oauth-settings.js';
import type { AuditLog } from '../audit/audit-log.js';

/** RFC 9068 §2.1: access tokens are typed so they cannot be confused with ID tokens. */
export const ACCESS_TOKEN_TYP = 'at+jwt';
/** Refresh tokens carry their own `typ` (RFC 8725 §3.11) and Authly's `type: "refresh"` claim. */
export const REFRESH_TOKEN_TYP = 'refresh+jwt';

/** The signers for each token kind: one keystore, or Authly's two HS256 secrets. */
export interface TokenSigners {
  access: TokenSigner;
  refresh: TokenSigner;
}

/** What a grant hands over to mint tokens. */
export interface IssueRequest {
  issuer: string;
  /** `null` for client_credentials. */
  user: User | null;
  client: Client | null;
  scopes: readonly string[];
  /**
   * Every token of one grant shares this id, so the family can be revoked at once. Absent for a
   * grant that starts a new family (client_credentials, password): the issuer makes the id up.
   */
  grantId?: string;
  /** The remembered consent the grant rests on (recorded on each token), if any. */
  consentId?: string | null;
  withRefreshToken: boolean;
  /** The grant type the tokens are issued for (audit events and metrics). */
  grant: string;
  /** RFC 9449 §6: the DPoP key's thumbprint; the access token carries it as `cnf.jkt`. */
  dpopJkt?: string;
  /** RFC 9449 §5: bind the refresh token to the DPoP key too (public clients). */
  bindRefreshToken?: boolean;
}

/** Minted tokens, before the response is shaped. */
export interface IssuedTokens {
  accessToken: string;
  refreshToken: string | undefined;
  expiresIn: number;
  scope: string | null;
  /** `DPoP` when the access token is bound to a key (RFC 9449 §5), else `Bearer`. */
  tokenType: 'Bearer' | 'DPoP';
}

/**
 * Mints access (RFC 9068 claims plus Authly's §4.1 claims) and refresh tokens and
 * records each as a digest, so revocation and introspection can find them.
 */
export class TokenIssuer {
  readonly #repos: Repositories;
  readonly #signers: TokenSigners;
  readonly #clock: Clock;
  readonly #random: RandomSource;
  readonly #settings: OAuthSettings;
  readonly #audit: AuditLog | undefined;

  constructor(deps: { repos: Repositories; signers: TokenSigners; clock: Clock; random: RandomSource; settings: OAuthSettings; audit?: AuditLog }) {
    this.#audit = deps.audit;
    this.#repos = deps.repos;
    this.#signers = deps.signers;
    this.#clock = deps.clock;
    this.#random = deps.random;
    this.#settings = deps.settings;
  }

  /**
   * Mints the tokens and records them in their family. A family already revoked (a reused code,
   * a replayed refresh token, a revoked grant) gets nothing: RFC 9700 §4.14.2 wants nothing of it
   * to survive, so the tokens just written are invalidated with it and `invalid_grant` answers.
   */
  async issue(request: IssueRequest): Promise<IssuedTokens> {
    const now = this.#clock.now();
    const iat = Math.floor(now.getTime() / 1000);
    const scope = formatScope(request.scopes);
    // RFC 9068 §2.2: `sub` is the resource owner, or the client itself when there is none.
    const sub = request.user?.id ?? request.client?.clientId ?? '';
    const common: JwtClaims = { iss: request.issuer, sub, iat, ...(request.client ? { client_id: request.client.clientId } : {}) };
    const cnf = request.dpopJkt ? { cnf: { jkt: request.dpopJkt } } : {};

    // Time-ordered ids (UUID v7, a timestamp-prefixed jti) keep every index on them appending at
    // its right-hand edge: far fewer pages rewritten per commit than with random ids.
    const ms = now.getTime();
    const accessJti = this.#random.timeOrderedHex(ms, 32);
    const accessExp = iat + this.#settings.accessTokenTtlSeconds;
    const accessToken = await this.#signers.access.sign(
      { ...common, aud: this.#settings.audience ?? request.issuer, jti: accessJti, ...(scope ? { scope } : {}), exp: accessExp, ...cnf },
      { typ: ACCESS_TOKEN_TYP },
    );
    const records = [this.#record(request, 'access', accessJti, accessToken, scope, accessExp, ms)];

    let refreshToken: string | undefined;
    if (request.withRefreshToken) {
      const refreshJti = this.#random.timeOrderedHex(ms, 32);
      const refreshExp = iat + this.#settings.refreshTokenTtlSeconds;
      const bound = request.bindRefreshToken ? cnf : {};
      refreshToken = await this.#signers.refresh.sign({ ...common, type: 'refresh', jti: refreshJti, exp: refreshExp, ...bound }, { typ: REFRESH_TOKEN_TYP });
      records.push(this.#record(request, 'refresh', refreshJti, refreshToken, scope, refreshExp, ms));
    }
    if (request.grantId === undefined) {
      // A family nobody else knows of yet cannot have been revoked: no marker to read.
      await this.#repos.tokens.addNewFamily(this.#random.timeOrderedUuid(ms), records);
    } else if (!(await this.#repos.tokens.addToFamily(request.grantId, records, now))) {
      throw new InvalidGrant('The provided authorization grant is invalid, expired, or revoked');
    }
    this.#audit?.record({
      event: 'token.issued',
      userId: request.user?.id ?? null,
      clientId: request.client?.clientId ?? null,
      details: { grant: request.grant, algorithm: signingAlgorithm(accessToken), refresh: refreshToken !== undefined, scope, grant_id: request.grantId },
    });
    return { accessToken, refreshToken, expiresIn: this.#settings.accessTokenTtlSeconds, scope, tokenType: request.dpopJkt ? 'DPoP' : 'Bearer' };
  }

  #record(request: IssueRequest, tokenType: 'access' | 'refresh', jti: string, token: string, scope: string | null, exp: number, ms: number): NewToken {
    return {
      id: this.#random.timeOrderedUuid(ms),
      userId: request.user?.id ?? null,
      clientId: request.client?.id ?? null,
      jti,
      tokenType,
      // Only the digest is stored; a leaked table yields no usable token.
      tokenValue: credentialDigest(token),
      scope,
      expiresAt: new Date(exp * 1000),
      consentId: request.consentId ?? null,
    };
  }
}

/*
 * The last header segment read and its `alg`: every token signed with one key has the same header,
 * so the audit line of a token response need not decode and parse it again each time.
 */
let lastHeader: string | undefined;
let lastAlgorithm = 'unknown';

/** The `alg` of a compact JWS's protected header (RFC 7515 §4.1.1), for audit and metrics. */
export function signingAlgorithm(jws: string): string {
  const dot = jws.indexOf('.');
  const segment = dot === -1 ? jws : jws.slice(0, dot);
  if (segment === lastHeader) return lastAlgorithm;
  let algorithm = 'unknown';
  try {
    const header = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as { alg?: unknown };
    if (typeof header.alg === 'string') algorithm = header.alg;
  } catch {
    // not a compact JWS: 'unknown'
  }
  lastHeader = segment;
  lastAlgorithm = algorithm;
  return algorithm;
}
