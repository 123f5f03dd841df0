import { openStorage } from '../../src/app/storage.js';
import type { AsymmetricAlgorithm } from '../../src/crypto/generate-key.js';
import { createKeyCipher } from '../../src/crypto/key-encryption.js';
import { Keystore } from '../../src/crypto/keystore.js';
import type { KeystoreOptions } from '../../src/crypto/keystore.js';
import { deriveKey } from '../../src/crypto/master-key.js';
import { cryptoRandom } from '../../src/crypto/random.js';
import type { SigningKeyRepository } from '../../src/repositories/signing-key-repository.js';
import type { Clock } from '../../src/repositories/ports.js';
import type { Storage } from '../../src/storage/storage.js';
import { DEFAULT_TEST_PRAGMAS } from '../storage/pragmas.js';

/** A clock the test moves by hand: expiry and rotation without sleeping. */
export class TestClock implements Clock {
  #ms: number;

  constructor(start = '2030-01-01T00:00:00.000Z') {
    this.#ms = Date.parse(start);
  }

  now(): Date {
    return new Date(this.#ms);
  }

  /** Moves the clock forward by `seconds`. */
  advance(seconds: number): Date {
    this.#ms += seconds * 1000;
    return this.now();
  }
}

/** A fresh, migrated in-memory database whose rows are stamped by `clock`. */
export async function memoryStorage(clock: Clock): Promise<Storage> {
  const storage = await openStorage({ backend: 'memory', pragmas: DEFAULT_TEST_PRAGMAS }, { clock });
  await storage.migrate();
  return storage;
}

/** A master key for tests (any 32 bytes will do). */
export const MASTER_KEY = Buffer.alloc(32, 7);

/** Options of {@link testKeystore}, all optional. */
export type TestKeystoreOptions = Partial<Omit<KeystoreOptions, 'repository' | 'clock'>> & { masterKey?: Buffer };

/** A keystore over `repository`: ES256, one-hour rotation delay, two-hour max token lifetime. */
export function testKeystore(repository: SigningKeyRepository, clock: Clock, options: TestKeystoreOptions = {}): Keystore {
  const { masterKey = MASTER_KEY, ...rest } = options;
  return new Keystore({
    repository,
    clock,
    cipher: createKeyCipher(deriveKey(masterKey, 'signing-key-encryption'), cryptoRandom),
    algorithm: 'ES256' as AsymmetricAlgorithm,
    rotationDelaySeconds: 3600,
    maxTokenLifetimeSeconds: 7200,
    ...rest,
  });
}

/** The JOSE header of a compact token, decoded without checks. */
export function headerOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** Builds a compact JWS by hand from a header, a payload and a (possibly empty) signature. */
export function craftToken(header: object, payload: object, signature = ''): string {
  const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString('base64url');
  return `${encode(header)}.${encode(payload)}.${signature}`;
}

/** Seconds since the epoch, as JWT time claims are. */
export function epochSeconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}
