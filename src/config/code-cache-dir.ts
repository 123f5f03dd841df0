import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where code caches live: `$AUTHLY_CODE_CACHE_DIR`, else `authly/` under the OS cache folder
 * (`$XDG_CACHE_HOME`, `%LOCALAPPDATA%`, `~/.cache`); `undefined` (no cache) when that variable
 * is `off` or the user has no home folder.
 */
export function codeCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const chosen = env.AUTHLY_CODE_CACHE_DIR;
  if (chosen === 'off') return undefined;
  if (chosen) return chosen;
  const base = env.XDG_CACHE_HOME || (process.platform === 'win32' ? env.LOCALAPPDATA : undefined) || homeCache();
  return base === undefined ? undefined : join(base, 'authly');
}

function homeCache(): string | undefined {
  try {
    return join(homedir(), '.cache');
  } catch {
    // No home folder (a user without a passwd entry): start without a cache rather than fail.
    return undefined;
  }
}
