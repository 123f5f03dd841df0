import { createLogger, type AppLogger } from '../../src/log/logger.js';

/** The application's own logger (JSON lines, redaction on) writing into memory. */
export interface CapturedLog {
  logger: AppLogger;
  /** Every line written so far, raw. */
  lines: string[];
  /** The lines parsed. */
  records(): Record<string, unknown>[];
  /** The audit records (`audit: true`), in order. */
  audit(): Record<string, unknown>[];
}

/** A logger at `info` whose lines a test can read. */
export function captureLog(): CapturedLog {
  const lines: string[] = [];
  const logger = createLogger({ level: 'info', json: true }, { write: (line: string) => lines.push(line) });
  const records = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  return { logger, lines, records, audit: () => records().filter((r) => r.audit === true) };
}
