import { pino } from 'pino';
import type { LoggingConfig } from '../config/index.js';
import { formatLine } from './line-format.js';
import { REDACT_PATHS, scrubUrl } from './redaction.js';
import { currentRequestId } from './request-context.js';

/** The application logger: pino's, so Fastify can use it as its `loggerInstance`. */
export type AppLogger = pino.Logger;

/** Where log lines go; `process.stdout` by default. */
export interface LogDestination {
  write(line: string): unknown;
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
 * Creates the one logger of the process (pino is imported only here). JSON lines by default;
 * `json: false` writes `time LEVEL msg key=value` lines without needing pino-pretty.
 */
export function createLogger(options: LoggingConfig, destination: LogDestination = process.stdout): AppLogger {
  const stream = options.json
    ? destination
    : {
        write(line: string) {
          destination.write(formatLine(line));
        },
      };
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
