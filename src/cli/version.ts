import { readFileSync } from 'node:fs';

/**
 * The package version, reported by `authly --version` and `/health`. Read from
 * package.json two folders up, which holds from both `src/cli/` and `dist/cli/`.
 */
export function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version?: string;
  };
  return manifest.version ?? '0.0.0';
}
