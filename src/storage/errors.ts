/**
 * The database could not be opened or reached. The message is one line that names the file
 * (SQLite) or the server (PostgreSQL), fit to print to an operator without a stack trace.
 */
export class StorageOpenError extends Error {
  override readonly name = 'StorageOpenError';
}
