import { StorageUnavailableError } from '../../repositories/errors.js';

/**
 * True when `error` is SQLite's "database is locked" after `busy_timeout` ran out
 * (`SQLITE_BUSY` and its extended codes, https://sqlite.org/rescode.html#busy): another
 * connection held the write lock too long. The request was fine; a retry may succeed.
 */
export function isSqliteBusy(error: unknown): boolean {
  const code = error instanceof Error ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' && (code === 'SQLITE_BUSY' || code.startsWith('SQLITE_BUSY_'));
}

/** `error` as a {@link StorageUnavailableError} when it is {@link isSqliteBusy}, else unchanged (for raw statements). */
export function sqliteUnavailable(error: unknown): unknown {
  if (!isSqliteBusy(error)) return error;
  return new StorageUnavailableError(`SQLite unavailable: ${(error as Error).message.split('\n')[0] ?? ''}`, { cause: error });
}
