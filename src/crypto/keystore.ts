import type { NewSigningKey, PublicJwk, SigningKey } from '../domain/signing-key.js';
import type { SigningKeyRepository } from '../repositories/signing-key-repository.js';
import type { Clock, Logger } from '../repositories/ports.js';
import { signingInput } from './compact-jws.js';
import { signOnThisThread, type SignatureFunction } from './signing-thread.js';
import { ASYMMETRIC_ALGORITHMS, generateSigningKey, isAsymmetricAlgorithm, publicMembers } from './generate-key.js';
import type { AsymmetricAlgorithm } from './generate-key.js';
import type { KeyCipher } from './key-encryption.js';
import { KeyMaterialCache, type KeyMaterial } from './key-material.js';
import { KeyRing } from './key-ring.js';
import { isPublishable, signingKeyFor } from './key-schedule.js';
import { checkRecordedClaims, readHeader, verifyWithKey } from './jwt-verification.js';
import { TokenVerificationError } from './token-signer.js';
import type { DecodedJwt, JwtClaims, JwtHeader, SigningAlgorithm, TokenSigner, VerifiedJwt, VerifyOptions } from './token-signer.js';

/** How the keystore is built. */
export interface KeystoreOptions {
  repository: SigningKeyRepository;
  /** Encrypts private keys at rest: `createKeyCipher(deriveKey(master, 'signing-key-encryption'), random)`. */
  cipher: KeyCipher;
  clock: Clock;
  /** `keys.algorithm`: what `sign` uses by default and what new keys are. */
  algorithm: AsymmetricAlgorithm;
  /** `keys.rotation_delay_seconds`: how long a rotated-in key is published before it signs. */
  rotationDelaySeconds: number;
  /** The longest token lifetime (access, refresh, ID token): how long a retired key stays in JWKS. */
  maxTokenLifetimeSeconds: number;
  /** How stale the in-memory key list may get before it is re-read (default 60 s). */
  refreshIntervalSeconds?: number;
  logger?: Logger;
  /** Where signatures are computed (default: on the calling thread; see `SigningThread`). */
  signature?: SignatureFunction;
}

/** The JWK Set document (RFC 7517 §5). */
export interface JwkSet {
  keys: PublicJwk[];
}

/**
 * The asymmetric `TokenSigner` over persisted keys. Keys live in `oidc_jwks_keys`,
 * private halves encrypted with the master key, so restarts and every instance sign with the same
 * keys. The key list is cached in memory and re-read every `refreshIntervalSeconds`, which is also
 * when staged keys are picked up and superseded keys are retired (see key-schedule.ts).
 */
export class Keystore implements TokenSigner {
  readonly #repository: SigningKeyRepository;
  readonly #clock: Clock;
  readonly #logger: Logger | undefined;
  readonly #cipher: KeyCipher;
  readonly #material: KeyMaterialCache;
  readonly #ring: KeyRing;
  readonly #signature: SignatureFunction;
  readonly #creating = new Map<AsymmetricAlgorithm, Promise<SigningKey>>();
  /** The schedule this keystore applies (read by the signing-key service). */
  readonly settings: Readonly<Pick<KeystoreOptions, 'algorithm' | 'rotationDelaySeconds' | 'maxTokenLifetimeSeconds'>>;

  constructor(options: KeystoreOptions) {
    const { repository, clock, logger, cipher, algorithm, rotationDelaySeconds, maxTokenLifetimeSeconds } = options;
    this.#repository = repository;
    this.#clock = clock;
    this.#logger = logger;
    this.#cipher = cipher;
    this.#material = new KeyMaterialCache(cipher);
    this.#signature = options.signature ?? signOnThisThread;
    this.settings = { algorithm, rotationDelaySeconds, maxTokenLifetimeSeconds };
    this.#ring = new KeyRing({
      repository,
      clock,
      logger,
      rotationDelaySeconds,
      maxTokenLifetimeSeconds,
      refreshIntervalSeconds: options.refreshIntervalSeconds ?? 60,
      onLoad: (kids) => this.#material.retainOnly(kids),
    });
  }

  /**
   * At start: makes sure a key of every advertised algorithm exists (RS256, ES256, EdDSA), so
   * JWKS is complete from the first request and no key is ever generated on the request path.
   * Returns the signing key of each.
   */
  async ensureSigningKeys(): Promise<SigningKey[]> {
    await this.refresh();
    const keys: SigningKey[] = [];
    // Found or created one algorithm after another (creating re-reads the ring)...
    for (const algorithm of ASYMMETRIC_ALGORITHMS) keys.push(this.#current(algorithm, this.#clock.now()) ?? (await this.#createFirst(algorithm)));
    // ...then decrypted and imported together: WebCrypto's digests and imports run off the main
    // thread, so the three keys cost about one at start (bench/README.md, `startup`).
    await Promise.all(keys.map((key) => this.#material.get(key)));
    return keys;
  }

  /**
   * At start: makes sure a key of `algorithm` (default `keys.algorithm`) signs, creating and
   * persisting the first one, and that its private part decrypts with this master key, so a wrong
   * master key fails the start rather than the first token request.
   */
  async ensureSigningKey(algorithm: AsymmetricAlgorithm = this.settings.algorithm): Promise<SigningKey> {
    await this.refresh();
    const key = this.#current(algorithm, this.#clock.now()) ?? (await this.#createFirst(algorithm));
    await this.#material.get(key);
    return key;
  }

  /** Signs with the current signing key of `options.algorithm` (default `keys.algorithm`). */
  async sign(claims: JwtClaims, options: { typ: string; algorithm?: SigningAlgorithm }): Promise<string> {
    const algorithm = options.algorithm ?? this.settings.algorithm;
    if (!isAsymmetricAlgorithm(algorithm)) throw new TypeError(`the keystore does not sign ${algorithm}; use the HS256 signer`);
    const now = this.#clock.now();
    await this.#ring.freshen(now);
    // Keys are created at start (`ensureSigningKeys`); one missing here is re-read, never generated.
    const key = this.#current(algorithm, now) ?? this.#current(algorithm, now, await this.refresh());
    if (!key) throw new SigningKeyMissingError(algorithm);
    const { signingKey } = await this.#material.get(key);
    // RFC 7515 §4.1.4: `kid` tells verifiers which JWKS entry to use; `typ` per RFC 8725 §3.11.
    const input = signingInput({ alg: algorithm, kid: key.kid, typ: options.typ }, claims);
    return `${input}.${await this.#signature(algorithm, input, signingKey)}`;
  }

  /**
   * Verifies with the key named by `kid`, allowing only that key's algorithm (RFC 8725 §3.1).
   * Keys created by another instance are found in the repository.
   */
  async verify(token: string, options: VerifyOptions = {}): Promise<VerifiedJwt> {
    const { key, material } = await this.#keyOf(readHeader(token), options);
    return verifyWithKey(token, material.publicKey, key.algorithm, options);
  }

  /** `verify` without the signature, for a string whose digest matched a recorded token (see `TokenSigner`). */
  async readRecorded(decoded: DecodedJwt, options: VerifyOptions = {}): Promise<VerifiedJwt> {
    const { key } = await this.#keyOf(decoded.header, options);
    return checkRecordedClaims(decoded, key.algorithm, options);
  }

  /** The stored key the header names, provided it is still published and decrypts with our master key. */
  async #keyOf(header: JwtHeader, options: VerifyOptions): Promise<{ key: SigningKey; material: KeyMaterial }> {
    if (!isAsymmetricAlgorithm(header.alg)) throw new TokenVerificationError(`unsupported "alg" ${header.alg}`);
    if (header.kid === undefined) throw new TokenVerificationError('no "kid" header');
    const key = await this.#ring.find(header.kid);
    if (key === undefined) throw new TokenVerificationError('unknown "kid"');
    if (key.algorithm !== header.alg) throw new TokenVerificationError('"alg" does not match the key');
    if (!isPublishable(key, options.currentDate ?? this.#clock.now())) throw new TokenVerificationError('the key has expired');
    let material;
    try {
      material = await this.#material.get(key);
    } catch (error) {
      throw new TokenVerificationError('the key is not usable', { cause: error });
    }
    return { key, material };
  }

  /** The configured algorithm first, then the others (clients' ID-token algorithms); each has a key from the start. */
  async algorithms(): Promise<SigningAlgorithm[]> {
    return [this.settings.algorithm, ...ASYMMETRIC_ALGORITHMS.filter((a) => a !== this.settings.algorithm)];
  }

  /**
   * The JWK Set (RFC 7517 §5): active keys (signing, staged) and retired keys until their
   * `expires_at`, signing keys first in the order RS256, ES256, EdDSA — RS256 is OpenID Connect's
   * default ID-token algorithm (OIDC Core §3.1.3.7) and many verifiers take the first key. Read
   * fresh, so a key staged by another instance shows at once.
   */
  async jwks(): Promise<JwkSet> {
    const now = this.#clock.now();
    const rows = (await this.refresh()).filter((key) => isPublishable(key, now));
    const signing = ASYMMETRIC_ALGORITHMS.map((alg) => signingKeyFor(rows, alg, now, this.settings.rotationDelaySeconds)).filter(
      (key) => key !== undefined,
    );
    const signingKids = new Set(signing.map((key) => key.kid));
    const ordered = [...signing, ...rows.filter((k) => !signingKids.has(k.kid))];
    const keys: PublicJwk[] = [];
    for (const key of ordered) {
      try {
        await this.#material.get(key); // only keys written with our master key are published
        keys.push({ ...publicMembers(key.keyData), kid: key.kid, use: 'sig', alg: key.algorithm });
      } catch (error) {
        this.#logger?.error({ kid: key.kid, err: error }, 'signing key left out of JWKS');
      }
    }
    return { keys };
  }

  /** Generates and persists a new active key (as staged, if a key of its algorithm already signs). */
  async createKey(algorithm: AsymmetricAlgorithm): Promise<SigningKey> {
    const row = await this.#repository.add(await this.#newKey(algorithm));
    this.#ring.remember(row);
    this.#logger?.info({ kid: row.kid, alg: algorithm }, 'created signing key');
    return row;
  }

  /** A freshly generated key of `algorithm`, its private part sealed with the master key. */
  async #newKey(algorithm: AsymmetricAlgorithm): Promise<NewSigningKey & Pick<SigningKey, 'createdAt'>> {
    const generated = await generateSigningKey(algorithm);
    return {
      kid: generated.kid,
      keyData: generated.publicJwk,
      keyType: generated.keyType,
      algorithm,
      keyUse: 'sig',
      isActive: true,
      keySize: generated.keySize,
      curve: generated.curve,
      privateKeyData: this.#cipher.seal(generated.kid, JSON.stringify(generated.privateJwk)),
      createdAt: this.#ring.nextCreatedAt(algorithm),
    };
  }

  /** Re-reads every key and retires superseded ones (see `KeyRing.refresh`). */
  refresh(now?: Date): Promise<SigningKey[]> {
    return this.#ring.refresh(now);
  }

  #current(algorithm: AsymmetricAlgorithm, now: Date, keys: readonly SigningKey[] = this.#ring.keys()): SigningKey | undefined {
    return signingKeyFor(keys, algorithm, now, this.settings.rotationDelaySeconds);
  }

  /**
   * No active key of `algorithm`: generate one and let the database decide (`addFirst`), then
   * re-read and use what the schedule says, so instances starting together agree on one key.
   */
  #createFirst(algorithm: AsymmetricAlgorithm): Promise<SigningKey> {
    const inFlight = this.#creating.get(algorithm);
    if (inFlight) return inFlight;
    const created = (async () => {
      const existing = this.#current(algorithm, this.#clock.now(), await this.refresh());
      if (existing) return existing;
      const row = await this.#repository.addFirst(await this.#newKey(algorithm));
      if (row) {
        this.#ring.remember(row);
        this.#logger?.info({ kid: row.kid, alg: algorithm }, 'created signing key');
      }
      const chosen = this.#current(algorithm, this.#clock.now(), await this.refresh());
      if (!chosen) throw new SigningKeyMissingError(algorithm);
      return chosen;
    })().finally(() => this.#creating.delete(algorithm));
    this.#creating.set(algorithm, created);
    return created;
  }
}

/** No active key of an algorithm: the start (`ensureSigningKeys`) did not run or a key was deleted. */
export class SigningKeyMissingError extends Error {
  override readonly name = 'SigningKeyMissingError';

  constructor(algorithm: string) {
    super(`no active ${algorithm} signing key; keys are created when the server starts`);
  }
}
