import { pino } from 'pino';
import PinoPretty from 'pino-pretty';
import type { LoggingConfig } from '../config/index.js';
import { REDACT_PATHS, scrubUrl } from './redaction.js';
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
  const format = PinoPretty.prettyFactory({
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
  // Only Fastify requests are reshaped; any other `req` object is logged as given (and redacted).
  if (typeof req !== 'object' || req === null || typeof req.url !== 'string') return req;
  return {
    method: req.method,
    url: scrubUrl(req.url),
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  };
}

/**
 * Adds `reqId` to lines logged while a request runs (see request-context.ts), unless the logger
 * already binds one (Fastify's per-request child logger), so the key never appears twice.
 */
function requestIdMixin(_merge: object, _level: number, logger: pino.Logger): object {
  const reqId = currentRequestId();
  if (reqId === undefined || 'reqId' in logger.bindings()) return {};
  return { reqId };
}

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
      redact: { paths: [...REDACT_PATHS] },
      serializers: { req: serializeRequest, err: pino.stdSerializers.err },
      mixin: requestIdMixin,
    },
    stream,
  );
}
