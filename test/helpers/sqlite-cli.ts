import { spawnSync } from 'node:child_process';

/*
 * Debian's sqlite3 command-line shell: an older SQLite (3.40 on Debian 12) than the one
 * better-sqlite3 bundles, as operators' tools are. When it is absent the suites that need it
 * skip with a one-line notice; under CI=true that is a failure (.ci/run installs it).
 */
function probe(): boolean {
  const ok = spawnSync('sqlite3', ['-version'], { stdio: 'ignore' }).status === 0;
  if (!ok && process.env.CI === 'true') {
    throw new Error('the sqlite3 command-line shell is missing and CI=true: install it (apt-get install -y sqlite3; see .ci/run).');
  }
  if (!ok) console.warn('[skip] sqlite3 CLI suites skipped: no sqlite3 on PATH. Install Debian\'s sqlite3 to enable them.');
  return ok;
}

/** True when the sqlite3 shell is installed (a failure under CI=true when it is not). */
export const hasSqliteCli = probe();

/** What `sqlite3 <file> 'PRAGMA integrity_check'` prints, trimmed (`ok` for a sound database). */
export function integrityCheck(file: string): string {
  const result = spawnSync('sqlite3', [file, 'PRAGMA integrity_check'], { encoding: 'utf8' });
  return `${result.stdout}${result.stderr}`.trim();
}
