import fs from 'node:fs';
import { loadConfig } from '../config/index.js';
import type { Config } from '../config/index.js';
import { endpointFor, TransferError } from '../storage/transfer/index.js';
import type { Endpoint } from '../storage/transfer/index.js';
import { storageOptionsFrom } from './storage-options.js';

const SQLITE_MAGIC = 'SQLite format 3\0';

function sqliteFromUrl(spec: string, config: Config): Endpoint {
  // sqlite:PATH, sqlite:///abs/path (the URL form) and sqlite::memory:
  const rest = spec.slice('sqlite:'.length);
  if (rest === ':memory:') return endpointFor({ backend: 'memory', pragmas: { ...config.database.sqlite.pragmas } });
  const file = rest.startsWith('//') ? rest.slice(2) : rest;
  if (file === '') throw new TransferError(`database URL ${spec} names no file: write sqlite:PATH`);
  return endpointFor({ backend: 'sqlite', path: file, pragmas: { ...config.database.sqlite.pragmas }, statementCacheSize: 0 });
}

function looksLikeSqliteFile(file: string): boolean {
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const head = Buffer.alloc(SQLITE_MAGIC.length);
      fs.readSync(fd, head, 0, head.length, 0);
      return head.toString('latin1') === SQLITE_MAGIC;
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return false;
  }
}

/**
 * Resolves how a command names a database, the same way for every `authly db` transfer:
 * - nothing: the configured database (`--config`, `AUTHLY_CONFIG`, environment), as `serve` uses;
 * - `sqlite:PATH`, `sqlite::memory:`, `postgresql://…` or `postgres://…`: that database;
 * - anything else: a YAML config file, read without the environment, so that a `DATABASE_URL`
 *   set for this shell cannot turn both sides of a copy into the same database.
 */
export function resolveEndpoint(spec: string | undefined, configFile: string | undefined): Endpoint {
  if (spec === undefined) return endpointFor(storageOptionsFrom(loadConfig({ flags: { config: configFile } })));
  const defaults = loadConfig({ env: {} });
  if (spec.startsWith('sqlite:')) return sqliteFromUrl(spec, defaults);
  if (/^postgres(ql)?:\/\//.test(spec)) {
    return endpointFor({ backend: 'postgresql', connectionString: spec, poolSize: 1 });
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(spec);
  if (scheme !== null) throw new TransferError(`unsupported database URL scheme ${scheme[1]}: use sqlite:PATH or postgresql://…`);
  if (!fs.existsSync(spec)) throw new TransferError(`${spec} is neither a database URL (sqlite:PATH, postgresql://…) nor an existing config file`);
  if (looksLikeSqliteFile(spec)) throw new TransferError(`${spec} is a SQLite database, not a config file: write sqlite:${spec}`);
  return endpointFor(storageOptionsFrom(loadConfig({ flags: { config: spec }, env: {} })));
}
