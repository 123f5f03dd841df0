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
