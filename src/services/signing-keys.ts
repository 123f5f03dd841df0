import type { AsymmetricAlgorithm } from '../crypto/generate-key.js';
import { createKeyCipher } from '../crypto/key-encryption.js';
import { keyStatus, signsFrom } from '../crypto/key-schedule.js';
import type { KeyStatus } from '../crypto/key-schedule.js';
import { Keystore } from '../crypto/keystore.js';
import type { KeystoreOptions } from '../crypto/keystore.js';
import type { SignatureFunction } from '../crypto/signing-thread.js';
import { deriveKey } from '../crypto/master-key.js';
import type { RandomSource } from '../crypto/random.js';
import type { SigningKeyRepository } from '../repositories/signing-key-repository.js';
import type { Clock, Logger } from '../repositories/ports.js';
import type { AuditLog } from '../audit/audit-log.js';

/** One key as `authly keys list` shows it. */
export interface KeyListing {
  kid: string;
  algorithm: string;
  status: KeyStatus;
  createdAt: Date;
  /** For a staged key: when it starts signing. */
  signsFrom: Date | null;
  /** For a retired key: when it leaves JWKS. */
  publishUntil: Date | null;
}

/** What `rotate` did. */
export interface RotationResult {
  kid: string;
  algorithm: AsymmetricAlgorithm;
  createdAt: Date;
  /** When the new key signs: after `keys.rotation_delay_seconds`, or at once for a first key. */
  signsFrom: Date;
}

/**
 * Staged rotation (the state machine is in crypto/key-schedule.ts): a new key is
 * published at once and signs only after `rotation_delay_seconds`, so verifiers that cache JWKS
 * (Cache-Control max-age 3600) have seen it before the first token carries its `kid`.
 * The previous key is retired once the new one signs and stays in JWKS for the longest token
 * lifetime, so every token it signed still verifies.
 */
export class SigningKeyService {
  readonly #keystore: Keystore;
  readonly #repository: SigningKeyRepository;
  readonly #clock: Clock;
  readonly #audit: AuditLog | undefined;

  constructor(deps: { keystore: Keystore; repository: SigningKeyRepository; clock: Clock; audit?: AuditLog }) {
    this.#audit = deps.audit;
    this.#keystore = deps.keystore;
    this.#repository = deps.repository;
    this.#clock = deps.clock;
  }

  /**
   * Creates the next key of `algorithm` (default `keys.algorithm`): published now, signing after
   * the delay. On a database without a key of that algorithm, a current key is created first, as
   * the server does at start, so the rotated-in key is always the *next* one.
   */
  async rotate(now: Date = this.#clock.now(), algorithm?: AsymmetricAlgorithm): Promise<RotationResult> {
    const chosen = algorithm ?? this.#keystore.settings.algorithm;
    await this.#keystore.ensureSigningKey(chosen);
    const key = await this.#keystore.createKey(chosen);
    // Key generation takes time: judge the schedule no earlier than the key's own creation.
    const at = key.createdAt > now ? key.createdAt : now;
    const keys = await this.promoteDue(at);
    const delay = this.#keystore.settings.rotationDelaySeconds;
    // With no delay (or as a first key of its algorithm) the key signs at once.
    const starts = keyStatus(key, keys, at, delay) === 'signing' ? key.createdAt : signsFrom(key, delay);
    this.#audit?.record({ event: 'signing_key.rotated', details: { kid: key.kid, algorithm: key.algorithm, signs_from: starts } });
    return { kid: key.kid, algorithm: key.algorithm as AsymmetricAlgorithm, createdAt: key.createdAt, signsFrom: starts };
  }

  /** Retires keys a promoted key has replaced (`publishUntil = now + max token lifetime`); returns all keys. */
  promoteDue(now: Date = this.#clock.now()): ReturnType<Keystore['refresh']> {
    return this.#keystore.refresh(now);
  }

  /** Every stored key with its status at `now`, newest first (retires due keys first, see `promoteDue`). */
  async listKeys(now: Date = this.#clock.now()): Promise<KeyListing[]> {
    const keys = await this.promoteDue(now);
    const delay = this.#keystore.settings.rotationDelaySeconds;
    return keys.map((key) => {
      const status = keyStatus(key, keys, now, delay);
      return {
        kid: key.kid,
        algorithm: key.algorithm,
        status,
        createdAt: key.createdAt,
        signsFrom: status === 'staged' ? signsFrom(key, delay) : null,
        publishUntil: key.isActive ? null : key.expiresAt,
      };
    });
  }

  /** Deletes retired keys past their `publishUntil`; returns how many. */
  async deleteExpired(now: Date = this.#clock.now()): Promise<number> {
    const deleted = await this.#repository.deleteExpired(now);
    if (deleted > 0) await this.#keystore.refresh(now);
    return deleted;
  }
}

/** The configuration the keystore reads (structural: services take no dependency on config/). */
export interface SigningKeyConfig {
  readonly keys: { readonly algorithm: AsymmetricAlgorithm; readonly rotation_delay_seconds: number };
  readonly tokens: {
    readonly access_token_expire_minutes: number;
    readonly refresh_token_expire_days: number;
    readonly id_token_expire_minutes: number;
    /** Browser sessions are JWTs signed with these keys too. */
    readonly session_expire_minutes: number;
  };
}

/** The longest lifetime of any signed token: how long a retired key must stay verifiable. */
export function maxTokenLifetimeSeconds(tokens: SigningKeyConfig['tokens']): number {
  return Math.max(
    tokens.access_token_expire_minutes * 60,
    tokens.refresh_token_expire_days * 86_400,
    tokens.id_token_expire_minutes * 60,
    tokens.session_expire_minutes * 60,
  );
}

/** What {@link createSigningKeys} needs. */
export interface SigningKeysDeps {
  repository: SigningKeyRepository;
  /** From `loadMasterKey`; the key-encryption key is derived from it. */
  masterKey: Buffer;
  config: SigningKeyConfig;
  clock: Clock;
  random: RandomSource;
  logger?: Logger;
  refreshIntervalSeconds?: number;
  /** Where key rotations are recorded. */
  audit?: AuditLog;
  /** Where signatures are computed (default: on the calling thread). */
  signature?: SignatureFunction;
}

/** Builds the keystore (a `TokenSigner` with `jwks()`) and the rotation service from the configuration. */
export function createSigningKeys(deps: SigningKeysDeps): { keystore: Keystore; service: SigningKeyService } {
  const options: KeystoreOptions = {
    repository: deps.repository,
    cipher: createKeyCipher(deriveKey(deps.masterKey, 'signing-key-encryption'), deps.random),
    clock: deps.clock,
    algorithm: deps.config.keys.algorithm,
    rotationDelaySeconds: deps.config.keys.rotation_delay_seconds,
    maxTokenLifetimeSeconds: maxTokenLifetimeSeconds(deps.config.tokens),
    ...(deps.logger ? { logger: deps.logger } : {}),
    ...(deps.refreshIntervalSeconds === undefined ? {} : { refreshIntervalSeconds: deps.refreshIntervalSeconds }),
    ...(deps.signature ? { signature: deps.signature } : {}),
  };
  const keystore = new Keystore(options);
  return { keystore, service: new SigningKeyService({ keystore, repository: deps.repository, clock: deps.clock, ...(deps.audit ? { audit: deps.audit } : {}) }) };
}
