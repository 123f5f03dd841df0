/**
 * Table 4: the production install as a user gets it: `npm pack`, then the tarball installed with
 * `--omit=dev` into an empty folder. Size on disk and package count against the analysis's
 * 50 MB, and, per package, what weighs what.
 *
 * Install scripts are skipped (`--ignore-scripts`): better-sqlite3's would download a prebuilt
 * binary or compile SQLite. Its compiled addon is copied from this checkout instead, so the
 * measured folder is what a working install holds, and the install is proven by running
 * `authly --version` from it.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureBuilt, ROOT } from '../http/servers.js';
import { PACKAGE_TARGET_MB } from './predictions.js';

/** A package (or one of its folders) and its weight. */
export interface Weight {
  name: string;
  bytes: number;
}

/** What the package table measured. */
export interface PackageResult {
  tarballBytes: number;
  /** Sum of file sizes under the install's node_modules. */
  installBytes: number;
  /** Disk blocks used (what `du` reports). */
  diskBytes: number;
  packages: number;
  targetMB: number;
  /** True when `authly --version` ran from the install. */
  runs: boolean;
  /** Packages by weight, heaviest first (nested node_modules counted for the nested package). */
  heaviest: Weight[];
  /** The largest folders inside the five heaviest packages: what could go. */
  parts: Weight[];
}

function run(command: string, args: string[], cwd: string): string {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_update_notifier: 'false' } });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status}): ${result.stderr.slice(-2000)}`);
  return result.stdout;
}

interface Tally {
  bytes: number;
  disk: number;
}

/** Adds up a folder (not descending into `node_modules` when `skipModules`). */
function tally(dir: string, skipModules: boolean): Tally {
  const total: Tally = { bytes: 0, disk: 0 };
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (skipModules && entry.name === 'node_modules') continue;
      const inner = tally(full, skipModules);
      total.bytes += inner.bytes;
      total.disk += inner.disk;
    } else if (entry.isFile()) {
      const stat = fs.statSync(full);
      total.bytes += stat.size;
      total.disk += stat.blocks * 512;
    }
  }
  return total;
}

/** Every package folder under `modules` (scoped and nested ones too). */
function packagesUnder(modules: string): { name: string; dir: string }[] {
  const found: { name: string; dir: string }[] = [];
  if (!fs.existsSync(modules)) return found;
  for (const entry of fs.readdirSync(modules, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    const dirs = entry.name.startsWith('@')
      ? fs.readdirSync(path.join(modules, entry.name)).map((inner) => ({ name: `${entry.name}/${inner}`, dir: path.join(modules, entry.name, inner) }))
      : [{ name: entry.name, dir: path.join(modules, entry.name) }];
    for (const pkg of dirs) {
      if (!fs.existsSync(path.join(pkg.dir, 'package.json'))) continue;
      found.push(pkg, ...packagesUnder(path.join(pkg.dir, 'node_modules')));
    }
  }
  return found;
}

function largestParts(pkg: { name: string; dir: string }): Weight[] {
  return fs
    .readdirSync(pkg.dir, { withFileTypes: true })
    .filter((entry) => entry.name !== 'node_modules')
    .map((entry) => {
      const full = path.join(pkg.dir, entry.name);
      return { name: `${pkg.name}/${entry.name}${entry.isDirectory() ? '/' : ''}`, bytes: entry.isDirectory() ? tally(full, true).bytes : fs.statSync(full).size };
    })
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, 3);
}

/** Runs table 4. */
export async function runPackageTable(log: (line: string) => void): Promise<PackageResult> {
  ensureBuilt();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'authly-bench-package-'));
  try {
    const [packed] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', dir], ROOT)) as { filename: string; size: number }[];
    const tarball = path.join(dir, packed!.filename);
    const install = path.join(dir, 'install');
    fs.mkdirSync(install);
    fs.writeFileSync(path.join(install, 'package.json'), '{ "name": "authly-install-probe", "version": "0.0.0", "private": true }\n');
    log(`package: installing ${packed!.filename} with --omit=dev`);
    run('npm', ['install', tarball, '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], install);
    const addon = path.join('better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
    fs.mkdirSync(path.dirname(path.join(install, 'node_modules', addon)), { recursive: true });
    fs.copyFileSync(path.join(ROOT, 'node_modules', addon), path.join(install, 'node_modules', addon));
    const version = spawnSync(process.execPath, [path.join(install, 'node_modules', 'authly', 'dist', 'cli', 'index.js'), '--version'], { encoding: 'utf8' });

    const modules = path.join(install, 'node_modules');
    const total = tally(modules, false);
    const packages = packagesUnder(modules);
    const heaviest = packages.map((pkg) => ({ name: pkg.name, bytes: tally(pkg.dir, true).bytes })).sort((a, b) => b.bytes - a.bytes);
    const parts = heaviest.slice(0, 5).flatMap((w) => largestParts(packages.find((p) => p.name === w.name)!));
    return { tarballBytes: packed!.size, installBytes: total.bytes, diskBytes: total.disk, packages: packages.length, targetMB: PACKAGE_TARGET_MB, runs: version.status === 0, heaviest, parts };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
