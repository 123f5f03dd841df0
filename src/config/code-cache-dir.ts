import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where code caches live: `$AUTHLY_CODE_CACHE_DIR`, else `authly/` under the OS cache folder
 * (`$XDG_CACHE_HOME`, `%LOCALAPPDATA%`, `~/.cache`); `undefined` (no cache) when that variable
 * is `off`.
 */
export function codeCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const chosen = env.AUTHLY_CODE_CACHE_DIR;
  if (chosen === 'off') return undefined;
  if (chosen) return chosen;
  const base = env.XDG_CACHE_HOME || (process.platform === 'win32' ? env.LOCALAPPDATA : undefined) || join(homedir(), '.cache');
  return join(base, 'authly');
}
