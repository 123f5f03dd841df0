/** One thing wrong with the configuration, located precisely enough to fix without guessing. */
export interface ConfigProblem {
  /** Dotted key path (`database.backend`), or the file name for file-level problems. */
  path: string;
  /** What would have been accepted (`one of sqlite|memory|postgresql`). */
  expected: string;
  /** What was found, already rendered (`"mysql"`, `-1`, `nothing`). */
  got: string;
  /** Where the value came from: a file name, an environment variable or a CLI flag. */
  source?: string;
}

/**
 * The configuration could not be loaded. Carries every problem at once,
 * so one run of `authly serve` tells the operator everything to fix.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  /** All problems, in the order they were found. */
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    super(`invalid configuration (${count}):\n${problems.map((p) => `  - ${formatProblem(p)}`).join('\n')}`);
    this.problems = problems;
  }
}

/** `database.backend: expected one of sqlite|memory|postgresql, got "mysql" (from AUTHLY_DATABASE__BACKEND)`. */
export function formatProblem(problem: ConfigProblem): string {
  const from = problem.source === undefined ? '' : ` (from ${problem.source})`;
  return `${problem.path}: expected ${problem.expected}, got ${problem.got}${from}`;
}

const MAX_SHOWN = 80;

/**
 * Renders an offending value for a problem line. Secrets stay out of terminals and CI logs:
 * passwords and secrets are masked and URL credentials are hidden.
 */
export function describeValue(value: unknown, path = ''): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (value !== null && typeof value === 'object') return 'a mapping';
  if (/(^|\.)(password|jwt_secret_key|jwt_refresh_secret_key|master_key)$/.test(path) && value !== null) return '"***"';
  const text = JSON.stringify(typeof value === 'string' ? hideUrlPassword(value) : value) ?? String(value);
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}…"` : text;
}

/** The URL with its password (and a sentinel password) replaced by `***`, for messages. */
export function hideUrlPassword(value: string): string {
  return value
    .replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*):[^@/]*@/i, '$1:***@')
    .replace(/([?&]sentinel_password=)[^&#]*/i, '$1***');
}
