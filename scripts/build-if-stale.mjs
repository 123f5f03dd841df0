#!/usr/bin/env node
/**
 * Compiles the TypeScript (`npm run build`) only when dist/ is missing or older than a source
 * file or a tsconfig: `npm start` then costs a few file stats when nothing changed, instead of a
 * full compile on every start. Used by `prestart` and `prepare`.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
/** tsc writes every output on each build, so the entry point's time is the build's time. */
const OUTPUT = join(root, 'dist', 'cli', 'index.js');
const INPUTS = [join(root, 'src'), join(root, 'tsconfig.json'), join(root, 'tsconfig.build.json')];

/** Modification time in ms, 0 when the path does not exist. */
function mtime(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

/** The newest modification time of a file or of anything under a folder. */
function newest(path) {
  let latest = mtime(path);
  let entries;
  try {
    entries = readdirSync(path, { withFileTypes: true });
  } catch {
    return latest; // a file
  }
  for (const entry of entries) latest = Math.max(latest, entry.isDirectory() ? newest(join(path, entry.name)) : mtime(join(path, entry.name)));
  return latest;
}

const built = mtime(OUTPUT);
const changed = Math.max(...INPUTS.map(newest));
if (built > 0 && built >= changed) process.exit(0);

process.stderr.write(built === 0 ? 'authly: building dist/ (first run)\n' : 'authly: sources changed, rebuilding dist/\n');
const npm = process.env.npm_execpath;
const result = npm
  ? spawnSync(process.execPath, [npm, 'run', '-s', 'build'], { cwd: root, stdio: 'inherit' })
  : spawnSync('npm', ['run', '-s', 'build'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
process.exit(result.status ?? 1);
