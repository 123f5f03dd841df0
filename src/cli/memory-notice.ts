import type { Config } from '../config/index.js';
import type { CliOutput } from './output.js';

/**
 * A command that opens the database itself sees, on the `memory` backend, a new empty database
 * of its own, never the one inside a running server: say so on stderr rather than show an empty
 * listing as if it were the server's.
 */
export function warnIfMemory(config: Config, output: CliOutput): void {
  if (config.database.backend !== 'memory') return;
  output.err(
    'note: database.backend is memory: this command works on a new, empty in-memory database of its own, ' +
      'not on the one inside a running server, and everything it does is lost when it exits',
  );
}
