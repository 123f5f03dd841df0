import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  defaultMasterKeyFile,
  deriveKey,
  loadMasterKey,
  MasterKeyError,
  masterKeySourceFrom,
} from '../../src/crypto/master-key.js';
import { cryptoRandom } from '../../src/crypto/random.js';
import type { Logger } from '../../src/repositories/ports.js';

const folders: string[] = [];
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'authly-master-key-'));
  folders.push(dir);
  return dir;
}

function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const record = (obj: object, msg?: string) => lines.push(JSON.stringify({ ...obj, msg }));
  return { lines, debug: record, info: record, warn: record, error: record };
}

const deps = { random: cryptoRandom };
const KEY = Buffer.alloc(32, 1).toString('base64url');

describe('loadMasterKey', () => {
  it('generates authly.key beside the SQLite file with mode 0600, creating the folder, and reuses it next time', () => {
    const sqlitePath = join(folder(), 'state', 'authly.db');
    const logger = recordingLogger();
    const first = loadMasterKey({ masterKey: null, masterKeyFile: null, sqlitePath }, { ...deps, logger });
    const file = join(dirname(sqlitePath), 'authly.key');

    expect(first).toHaveLength(32);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(loadMasterKey({ masterKey: null, masterKeyFile: null, sqlitePath }, deps)).toEqual(first);
    // The log says where, never what.
    const written = readFileSync(file, 'utf8').trim();
    expect(logger.lines.join('\n')).toContain('authly.key');
    expect(logger.lines.join('\n')).not.toContain(written);
  });

  it('uses secrets.master_key over any file', () => {
    const masterKeyFile = join(folder(), 'other.key');
    writeFileSync(masterKeyFile, Buffer.alloc(32, 2).toString('base64url'));
    const key = loadMasterKey({ masterKey: KEY, masterKeyFile, sqlitePath: null }, deps);
    expect(key).toEqual(Buffer.alloc(32, 1));
  });

  it('reads secrets.master_key_file when it exists and creates it when missing', () => {
    const existing = join(folder(), 'existing.key');
    writeFileSync(existing, `${KEY}\n`);
    expect(loadMasterKey({ masterKey: null, masterKeyFile: existing, sqlitePath: null }, deps)).toEqual(Buffer.alloc(32, 1));

    const missing = join(folder(), 'deep', 'new.key');
    const created = loadMasterKey({ masterKey: null, masterKeyFile: missing, sqlitePath: null }, deps);
    expect(Buffer.from(readFileSync(missing, 'utf8').trim(), 'base64url')).toEqual(created);
  });

  it('rejects a configured key that is not 32 bytes with a one-line message that does not echo it', () => {
    const short = Buffer.alloc(16, 3).toString('base64url');
    const load = () => loadMasterKey({ masterKey: short, masterKeyFile: null, sqlitePath: null }, deps);
    expect(load).toThrow(MasterKeyError);
    expect(load).toThrow('secrets.master_key must be the base64url encoding of 32 bytes (43 characters), got 16 bytes');
    expect(load).not.toThrow(short);
    expect(() => loadMasterKey({ masterKey: 'not base64url!', masterKeyFile: null, sqlitePath: null }, deps)).toThrow(
      MasterKeyError,
    );
  });

  it('rejects a key file with the wrong length, naming the file', () => {
    const file = join(folder(), 'bad.key');
    writeFileSync(file, 'abc');
    expect(() => loadMasterKey({ masterKey: null, masterKeyFile: file, sqlitePath: null }, deps)).toThrow(
      `master key file ${file} must be the base64url encoding of 32 bytes`,
    );
  });
});

describe('masterKeySourceFrom', () => {
  it('places the default key file beside a SQLite file, else in ./data', () => {
    const secrets = { master_key: null, master_key_file: null };
    const sqlite = masterKeySourceFrom({ database: { backend: 'sqlite', sqlite: { path: 'var/authly.db' } }, secrets });
    expect(defaultMasterKeyFile(sqlite.sqlitePath)).toBe(join('var', 'authly.key'));
    for (const backend of ['memory', 'postgresql']) {
      const source = masterKeySourceFrom({ database: { backend, sqlite: { path: 'var/authly.db' } }, secrets });
      expect(defaultMasterKeyFile(source.sqlitePath)).toBe(join('data', 'authly.key'));
    }
  });
});

describe('deriveKey', () => {
  it('derives a different, stable 32-byte key per purpose', () => {
    const master = Buffer.alloc(32, 9);
    const encryption = deriveKey(master, 'signing-key-encryption');
    const hmac = deriveKey(master, 'client-secret-hmac');
    expect(encryption).toHaveLength(32);
    expect(hmac).toHaveLength(32);
    expect(encryption).not.toEqual(hmac);
    expect(encryption).not.toEqual(master);
    expect(deriveKey(master, 'signing-key-encryption')).toEqual(encryption);
  });
});
