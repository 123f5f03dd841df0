/*
 * Which pg errors mean "the server is away", as opposed to "this query is wrong". Only these
 * become StorageUnavailableError (503 + Retry-After); everything else stays a failure.
 */

/**
 * SQLSTATE classes and codes (https://www.postgresql.org/docs/current/errcodes-appendix.html):
 * class 08 connection exception; 57P01 admin_shutdown (pg_terminate_backend, a fast stop),
 * 57P02 crash_shutdown, 57P03 cannot_connect_now (starting up or shutting down), 53300
 * too_many_connections.
 */
const SQLSTATE_CLASSES = ['08'];
const SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);

/** Socket-level failures Node reports while connecting or talking to the server. */
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'EAI_AGAIN',
]);

/**
 * pg and pg-pool raise plain Errors without a code when a connection dies or none can be had in
 * time; their messages are stable API in practice (matched on their start).
 */
const DRIVER_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error and is not queryable',
  'Client was closed and is not queryable',
  'connect ECONNREFUSED',
];

/** True when `error` (a pg, pg-pool or socket error) means PostgreSQL cannot be reached right now. */
export function isPostgresUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (code.length === 5 && (SQLSTATES.has(code) || SQLSTATE_CLASSES.some((c) => code.startsWith(c)))) return true;
    if (SOCKET_CODES.has(code)) return true;
  }
  if (DRIVER_MESSAGES.some((start) => error.message.startsWith(start))) return true;
  // Node reports a refused dual-stack connect as an AggregateError of per-address errors.
  return error instanceof AggregateError && error.errors.some((inner) => isPostgresUnavailable(inner));
}
