import { hkdfSync } from 'node:crypto';
import { chmodSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Logger } from '../repositories/ports.js';
import type { RandomSource } from './random.js';

/** Length of the master key and of every key derived from it (AES-256, HMAC-SHA-256). */
export const MASTER_KEY_BYTES = 32;

/** Where the master key comes from, in order of precedence (config `secrets`). */
export interface MasterKeySource {
  /** `secrets.master_key`: base64url of 32 bytes. */
  masterKey: string | null;
  /** `secrets.master_key_file`. */
  masterKeyFile: string | null;
  /** The SQLite database file, when there is one: the key file defaults to `authly.key` beside it. */
  sqlitePath: string | null;
}

/** What loading may need: randomness for a new key, a logger to say where it was written. */
export interface MasterKeyDeps {
  random: RandomSource;
  logger?: Logger;
}

/** What a derived key is for; each purpose gets an independent key (RFC 5869 §3.2 `info`). */
export type KeyPurpose = 'signing-key-encryption' | 'client-secret-hmac' | 'csrf-token-hmac' | 'dpop-nonce-hmac' | 'pushed-request-hmac';

/** The master key is unusable: wrong length, unreadable file. The message never contains the key. */
export class MasterKeyError extends Error {
  override readonly name = 'MasterKeyError';
}

/** The configuration sections the master key depends on (structural, so crypto/ needs no config import). */
export interface MasterKeyConfig {
  readonly database: { readonly backend: string; readonly sqlite: { readonly path: string } };
  readonly secrets: { readonly master_key: string | null; readonly master_key_file: string | null };
}

/** Maps the `secrets` and `database` sections to a {@link MasterKeySource}. */
export function masterKeySourceFrom(config: MasterKeyConfig): MasterKeySource {
  const { backend, sqlite } = config.database;
  const onDisk = backend === 'sqlite' && sqlite.path !== ':memory:';
  return {
    masterKey: config.secrets.master_key,
    masterKeyFile: config.secrets.master_key_file,
    sqlitePath: onDisk ? sqlite.path : null,
  };
}

/** The key file used when none is configured: beside the SQLite file, else `./data/authly.key`. */
export function defaultMasterKeyFile(sqlitePath: string | null): string {
  return sqlitePath === null ? join('data', 'authly.key') : join(dirname(sqlitePath), 'authly.key');
}

/**
 * Loads the 32-byte master key: the configured value wins, then the configured file, then the
 * default file. A missing file is created with a fresh random key (mode 0600, its folder too), so
 * a first start needs no secret.
 * @throws MasterKeyError when a configured key or a file does not hold exactly 32 bytes.
 */
export function loadMasterKey(source: MasterKeySource, deps: MasterKeyDeps): Buffer {
  if (source.masterKey !== null) return decodeKey(source.masterKey, 'secrets.master_key');
  const file = source.masterKeyFile ?? defaultMasterKeyFile(source.sqlitePath);
  const existing = readKeyFile(file);
  if (existing !== undefined) return decodeKey(existing, `master key file ${file}`);
  const created = createKeyFile(file, deps.random.token(MASTER_KEY_BYTES), deps.random.hex(8));
  if (created) deps.logger?.info({ path: file }, 'generated a new master key');
  return decodeKey(readKeyFile(file) ?? '', `master key file ${file}`);
}

/** Derives an independent 32-byte key for one purpose with HKDF-SHA-256 (RFC 5869). */
export function deriveKey(master: Buffer, purpose: KeyPurpose): Buffer {
  // A fixed salt is fine: the input is already a uniformly random key (RFC 5869 §3.1).
  return Buffer.from(hkdfSync('sha256', master, 'authly', `authly ${purpose}`, MASTER_KEY_BYTES));
}

/** What a master key must look like, as configuration problems say it. */
export const MASTER_KEY_FORMAT = `the base64url encoding of ${MASTER_KEY_BYTES} bytes (43 characters)`;

/** The bytes a key text decodes to; empty when it is not base64url. */
function keyBytes(text: string): Buffer {
  const trimmed = text.trim();
  return /^[A-Za-z0-9_-]+=*$/.test(trimmed) ? Buffer.from(trimmed.replace(/=+$/, ''), 'base64url') : Buffer.alloc(0);
}

/** True when `text` is a usable master key; the configuration checks `secrets.master_key` with it. */
export function isMasterKeyText(text: string): boolean {
  return keyBytes(text).length === MASTER_KEY_BYTES;
}

function decodeKey(text: string, origin: string): Buffer {
  const key = keyBytes(text);
  if (key.length !== MASTER_KEY_BYTES) {
    throw new MasterKeyError(`${origin} must be ${MASTER_KEY_FORMAT}, got ${key.length} bytes`);
  }
  return key;
}

function readKeyFile(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new MasterKeyError(`cannot read master key file ${file}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * Writes the key to a temporary file, then links it into place: `link` fails when the target
 * exists, so two processes starting at once agree on one key and nobody reads a half-written file.
 * @returns false when another process created the file first.
 */
function createKeyFile(file: string, encoded: string, nonce: string): boolean {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${nonce}.tmp`;
  writeFileSync(temporary, `${encoded}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(temporary, 0o600); // the umask may have narrowed the mode, never widened it; be explicit
  try {
    linkSync(temporary, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new MasterKeyError(`cannot create master key file ${file}: ${(error as Error).message}`, { cause: error });
  } finally {
    rmSync(temporary, { force: true });
  }
}
