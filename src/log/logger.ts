import { createRequire } from 'node:module';
import { pino } from 'pino';
import type * as PinoPretty from 'pino-pretty';
import type { LoggingConfig } from '../config/index.js';
import { redactCredentials, redactPayload, scrubUrl, SECRET_FIELD_SERIALIZERS } from './redaction.js';
import { currentRequestId } from './request-context.js';

/** The application logger: pino's, so Fastify can use it as its `loggerInstance`. */
export type AppLogger = pino.Logger;

/** Where log lines go; `process.stdout` by default. `isTTY` marks a terminal. */
export interface LogDestination {
  write(line: string): unknown;
  readonly isTTY?: boolean;
}

/** What {@link createLogger} reads: the level, and JSON (`true`), readable lines (`false`) or by the destination (`null`). */
export interface LoggerOptions {
  level: LoggingConfig['level'];
  json: boolean | null;
}

/**
 * One readable line per record (pino-pretty, synchronously, in this process): the time, the
 * level, the message, then the other fields; colours only on a terminal.
 */
function readableLines(destination: LogDestination): LogDestination {
  // Required only for readable lines: JSON logs (servers, the default off a terminal) never load
  // pino-pretty and its dependencies, which keeps `authly serve`'s start short.
  const { prettyFactory } = createRequire(import.meta.url)('pino-pretty') as typeof PinoPretty;
  const format = prettyFactory({
    colorize: destination.isTTY === true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname',
    singleLine: true,
  });
  return { write: (line: string) => destination.write(format(line)) };
}

/** The request fields Fastify logs by default, with credentials removed from the query string. */
interface LoggedRequest {
  method: string;
  url: string;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number };
}

function serializeRequest(req: LoggedRequest) {
  // A Fastify request is reshaped (its headers and body are left out); any other `req` object is
  // logged with its credentials replaced.
  if (typeof req !== 'object' || req === null || typeof req.url !== 'string') return redactPayload(req);
  return {
    method: req.method,
    url: scrubUrl(req.url),
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  };
}

function serializeError(err: unknown): unknown {
  // An error's own properties are logged too (a library may attach a request's headers).
  return redactCredentials(pino.stdSerializers.err(err as Error));
}

const chindings = pino.symbols.chindingsSym;

/**
 * Adds `reqId` to lines logged while a request runs (see request-context.ts), unless the logger
 * already binds one (Fastify's per-request child logger), so the key never appears twice. The
 * bindings are read as pino keeps them (a JSON fragment), not parsed on every line.
 */
function requestIdMixin(_merge: object, _level: number, logger: pino.Logger): object {
  const reqId = currentRequestId();
  if (reqId === undefined) return {};
  const bound = (logger as unknown as Record<symbol, string | undefined>)[chindings];
  if (bound?.includes(',"reqId":')) return {};
  return { reqId };
}

/**
 * Serializers, by top-level field: credentials as fields are replaced, request data and errors
 * have their credentials replaced (see redaction.ts for why there is no wildcard redaction).
 */
const SERIALIZERS = {
  ...SECRET_FIELD_SERIALIZERS,
  req: serializeRequest,
  headers: redactPayload,
  body: redactPayload,
  query: redactPayload,
  params: redactPayload,
  err: serializeError,
};

/**
 * Creates the one logger of the process (pino is imported only here). `json: null` (the default)
 * writes JSON lines, for log collectors, unless the destination is a terminal, where a person
 * reads readable lines instead; `true` and `false` force one or the other.
 */
export function createLogger(options: LoggerOptions, destination: LogDestination = process.stdout): AppLogger {
  const json = options.json ?? destination.isTTY !== true;
  const stream = json ? destination : readableLines(destination);
  return pino(
    {
      level: options.level,
      serializers: SERIALIZERS,
      mixin: requestIdMixin,
    },
    stream,
  );
}

/**
 * True when `logger` writes lines at `level`: callers skip building what a line would hold when
 * it would be dropped anyway. A logger that cannot tell (not pino) is assumed to write.
 */
export function logsAt(logger: object, level: pino.Level): boolean {
  const check = (logger as Partial<AppLogger>).isLevelEnabled;
  return typeof check === 'function' ? check.call(logger, level) : true;
}
