import type { LoggingConfig } from '../config/index.js';
import { createLogger, type AppLogger } from '../log/logger.js';

/**
 * The logger of a one-shot command (`db`, `keys`, `cache`, `admin reset-password`): warnings and
 * errors only, as readable lines on stderr, so stdout carries nothing but the command's result and
 * a terminal shows no JSON. `logging.level: debug` (or trace) still shows everything.
 */
export function commandLogger(options: LoggingConfig): AppLogger {
  const verbose = options.level === 'debug' || options.level === 'trace';
  const level = verbose || options.level === 'silent' || options.level === 'error' || options.level === 'fatal' ? options.level : 'warn';
  return createLogger({ ...options, level, json: false }, process.stderr);
}
