import { createHash } from 'node:crypto';
import { calculateJwkThumbprint, decodeProtectedHeader, EmbeddedJWK, jwtVerify, type JWK } from 'jose';
import type { DpopNonces } from '../../crypto/dpop-nonce.js';
import { InvalidDpopProof, UseDpopNonce } from '../../protocol/errors.js';
import type { ReplayGuard } from '../../repositories/replay-guard.js';
import type { Clock } from '../../repositories/ports.js';

/** The DPoP settings (`oauth.*` configuration). */
export interface DpopSettings {
  /** JWS algorithms a proof may use (`dpop_signing_alg_values_supported`). */
  algorithms: readonly string[];
  /** How far `iat` may lie from now, either way (RFC 9449 §11.1). */
  maxAgeSeconds: number;
  /** Proofs at the token and PAR endpoints must carry a server nonce (RFC 9449 §8). */
  requireNonce: boolean;
}

/** The HTTP request a proof must match, and the access token it must hash when one is presented. */
export interface DpopRequest {
  /** The `DPoP` header as received (RFC 9449 §4.3: exactly one). */
  proof: string | string[] | undefined;
  /** `htm`: the request method. */
  method: string;
  /** `htu`: the request URI, without query and fragment. */
  url: string;
  /** The access token the request presents; the proof's `ath` must be its hash (RFC 9449 §4.3 step 11). */
  accessToken?: string;
  /** Where the proof is checked: authorization-server endpoints demand the nonce when configured. */
  endpoint: 'authorization-server' | 'resource';
}

/** A proof that passed: the key's RFC 7638 SHA-256 thumbprint (`jkt`). */
export interface VerifiedProof {
  jkt: string;
}

/** Members only a private or symmetric JWK has: a proof's header must carry a public key (RFC 9449 §4.2). */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];
const MAX_JTI_LENGTH = 256;
const MAX_PROOF_LENGTH = 8192;

/** RFC 9449 §4.1 `ath`: base64url SHA-256 of the access token's ASCII. */
export function accessTokenHash(accessToken: string): string {
  return createHash('sha256').update(accessToken, 'ascii').digest('base64url');
}

/** True when `htu` names `expected`, ignoring query and fragment (RFC 9449 §4.3 step 9, RFC 3986 §6.2 normalization). */
function sameUri(htu: string, expected: string): boolean {
  if (!URL.canParse(htu) || !URL.canParse(expected)) return false;
  const a = new URL(htu);
  const b = new URL(expected);
  return a.origin === b.origin && a.pathname === b.pathname;
}

/**
 * Checks DPoP proofs (RFC 9449 §4.3): one `DPoP` header; a JWS of type `dpop+jwt` with an allowed
 * asymmetric algorithm and a public `jwk` that verifies it; `htm` and `htu` of this request; `iat`
 * within the window; `jti` never seen before on any instance (the replay guard keeps it for the
 * whole window); `ath` when an access token is presented; the server nonce when required.
 */
export class DpopVerifier {
  readonly #settings: DpopSettings;
  readonly #nonces: DpopNonces;
  readonly #replay: ReplayGuard;
  readonly #clock: Clock;

  constructor(deps: { settings: DpopSettings; nonces: DpopNonces; replay: ReplayGuard; clock: Clock }) {
    this.#settings = deps.settings;
    this.#nonces = deps.nonces;
    this.#replay = deps.replay;
    this.#clock = deps.clock;
  }

  /** The algorithms proofs may use, for discovery and `WWW-Authenticate` (RFC 9449 §5.1, §7.1). */
  get algorithms(): readonly string[] {
    return this.#settings.algorithms;
  }

  /** A fresh nonce for the `DPoP-Nonce` header when nonces are required; otherwise `undefined`. */
  nonce(): string | undefined {
    return this.#settings.requireNonce ? this.#nonces.current(this.#clock.now()) : undefined;
  }

  /** `undefined` when the request carries no `DPoP` header; otherwise the verified proof, or an error. */
  async verify(request: DpopRequest): Promise<VerifiedProof | undefined> {
    if (request.proof === undefined) return undefined;
    if (Array.isArray(request.proof) || request.proof.length > MAX_PROOF_LENGTH) throw new InvalidDpopProof('Exactly one DPoP proof is required');
    const proof = request.proof;
    const now = this.#clock.now();

    let header;
    try {
      header = decodeProtectedHeader(proof);
    } catch {
      throw new InvalidDpopProof('The DPoP proof is not a JWS');
    }
    if (header.typ !== 'dpop+jwt') throw new InvalidDpopProof('The DPoP proof must have typ dpop+jwt');
    if (typeof header.alg !== 'string' || !this.#settings.algorithms.includes(header.alg)) throw new InvalidDpopProof('The DPoP proof uses an unsupported algorithm');
    const jwk = header.jwk as JWK | undefined;
    if (!jwk || typeof jwk !== 'object' || PRIVATE_MEMBERS.some((member) => member in jwk)) throw new InvalidDpopProof('The DPoP proof must carry a public jwk');

    let payload;
    try {
      ({ payload } = await jwtVerify(proof, EmbeddedJWK, { typ: 'dpop+jwt', algorithms: [...this.#settings.algorithms], currentDate: now }));
    } catch {
      throw new InvalidDpopProof('The DPoP proof signature or claims are invalid');
    }
    const { jti, htm, htu, iat, ath, nonce } = payload as Record<string, unknown>;
    if (typeof jti !== 'string' || jti.length === 0 || jti.length > MAX_JTI_LENGTH) throw new InvalidDpopProof('The DPoP proof needs a jti');
    if (htm !== request.method) throw new InvalidDpopProof('The DPoP proof htm does not match the request method');
    if (typeof htu !== 'string' || !sameUri(htu, request.url)) throw new InvalidDpopProof('The DPoP proof htu does not match the request URI');
    const window = this.#settings.maxAgeSeconds;
    const seconds = now.getTime() / 1000;
    if (typeof iat !== 'number' || Math.abs(seconds - iat) > window) throw new InvalidDpopProof('The DPoP proof iat is outside the accepted window');
    if (request.accessToken !== undefined && ath !== accessTokenHash(request.accessToken)) {
      throw new InvalidDpopProof('The DPoP proof ath does not match the access token', { status: 401 });
    }
    if (request.endpoint === 'authorization-server' && this.#settings.requireNonce) {
      if (typeof nonce !== 'string' || !this.#nonces.isValid(nonce, now)) throw new UseDpopNonce(this.#nonces.current(now));
    }
    const jkt = await calculateJwkThumbprint(jwk, 'sha256');
    // Kept for the whole window on both sides of now: a proof cannot be replayed while its iat is acceptable.
    const key = createHash('sha256').update(`dpop\n${jkt}\n${jti}`).digest('base64url');
    if (!(await this.#replay.firstUse(key, new Date((iat + window) * 1000 + 1000), now))) {
      throw new InvalidDpopProof('The DPoP proof has been used before');
    }
    return { jkt };
  }
}
