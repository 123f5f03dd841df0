/**
 * A write violated a uniqueness rule (duplicate username, client_id, jti, ...).
 * Expected by callers: services turn it into a 4xx, never a 500.
 */
export class ConflictError extends Error {
  override readonly name = 'ConflictError';
  /** The constraint or column the database named, when it did. */
  readonly constraint: string | undefined;

  constructor(message: string, constraint?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.constraint = constraint;
  }
}

/** A write referred to a row that does not exist (a foreign key was violated). */
export class MissingReferenceError extends Error {
  override readonly name = 'MissingReferenceError';
}

/**
 * The database could not be reached, or dropped the connection, or stayed locked past its busy
 * timeout: the request was fine and may succeed when retried. Storage raises it for
 * connection-level failures only (never for a constraint or a bad query), and the HTTP layer
 * answers `503` with `Retry-After` (RFC 9110 §15.6.4; on OAuth endpoints the RFC 6749 §4.1.2.1
 * error `temporarily_unavailable`).
 */
export class StorageUnavailableError extends Error {
  override readonly name = 'StorageUnavailableError';
}

/** True when `error`, or an error in its `cause` chain, is a {@link StorageUnavailableError}. */
export function isStorageUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>();
  for (let current = error; current instanceof Error && !seen.has(current); current = current.cause) {
    if (current instanceof StorageUnavailableError) return true;
    seen.add(current);
  }
  return false;
}
