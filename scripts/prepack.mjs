#!/usr/bin/env node
/**
 * Before `npm pack` / `npm publish`: a clean build of dist/ (no outputs of deleted sources), and
 * the lockfile shipped as npm-shrinkwrap.json, the dependency versions this repository tests.
 * `postpack` removes the copy again.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
rmSync(join(root, 'dist'), { recursive: true, force: true });
const npm = process.env.npm_execpath;
const build = npm
  ? spawnSync(process.execPath, [npm, 'run', '-s', 'build'], { cwd: root, stdio: 'inherit' })
  : spawnSync('npm', ['run', '-s', 'build'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
copyFileSync(join(root, 'package-lock.json'), join(root, 'npm-shrinkwrap.json'));
