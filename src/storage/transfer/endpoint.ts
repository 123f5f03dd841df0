import fs from 'node:fs';
import path from 'node:path';
import { describeTarget } from '../postgres/open.js';
import type { StorageOptions } from '../storage.js';
import { TransferError } from './errors.js';

/** A database named on the command line: how to open it and how to name it in messages. */
export interface Endpoint {
  options: StorageOptions;
  /** `sqlite:<path>` or `postgresql://host:port/db`, never a password. */
  label: string;
}

/** PostgreSQL connection fields of {@link StorageOptions}. */
export type PostgresEndpointOptions = Extract<StorageOptions, { backend: 'postgresql' }>;

/** The label of a database, for messages and reports. */
export function endpointLabel(options: StorageOptions): string {
  switch (options.backend) {
    case 'sqlite':
      return `sqlite:${options.path}`;
    case 'memory':
      return 'sqlite::memory:';
    case 'postgresql':
      return `postgresql://${describeTarget(options)}`;
  }
}

/** An endpoint for options that came from a configuration. */
export function endpointFor(options: StorageOptions): Endpoint {
  return { options, label: endpointLabel(options) };
}

/**
 * `sqlite::memory:` and the `memory` backend vanish when the command exits: as a target the
 * rows would be lost, as a source there is nothing in it.
 */
export function assertPersistent(endpoint: Endpoint, role: 'source' | 'target'): void {
  if (endpoint.options.backend !== 'memory') return;
  throw new TransferError(
    role === 'target'
      ? 'sqlite::memory: cannot be a target: its contents vanish when the command exits'
      : 'sqlite::memory: cannot be a source: it is created empty by the command',
  );
}

function postgresIdentity(options: PostgresEndpointOptions): string {
  if (options.connectionString !== undefined) {
    try {
      const url = new URL(options.connectionString);
      return `${url.hostname}:${url.port || '5432'}${decodeURIComponent(url.pathname)}`;
    } catch {
      return options.connectionString;
    }
  }
  return `${options.host ?? 'localhost'}:${options.port ?? 5432}/${options.database ?? ''}`;
}

function sqliteIdentity(file: string): string {
  const absolute = path.resolve(file);
  try {
    return fs.realpathSync(absolute);
  } catch {
    return absolute;
  }
}

/** Refuses copying a database onto itself, which would empty it (`--replace`) or do nothing. */
export function assertDistinct(source: Endpoint, target: Endpoint): void {
  const a = source.options;
  const b = target.options;
  const same =
    (a.backend === 'sqlite' && b.backend === 'sqlite' && sqliteIdentity(a.path) === sqliteIdentity(b.path)) ||
    (a.backend === 'postgresql' && b.backend === 'postgresql' && postgresIdentity(a) === postgresIdentity(b));
  if (same) throw new TransferError(`source and target are the same database (${target.label})`);
}
