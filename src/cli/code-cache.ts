import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import vm from 'node:vm';

/** A CommonJS file compiled by {@link loadCachedScript}. */
export interface CachedScript<T> {
  /** The file's `module.exports`. */
  readonly exports: T;
  /** True when V8 accepted the cached code: nothing was compiled from source up front. */
  readonly cacheHit: boolean;
  /**
   * Writes V8's code for the functions run so far, when the cache was missing or rejected. Call
   * it once start-up is done, so the functions start-up compiled lazily are in it too.
   */
  saveCache(): void;
}

const PREFIX = 'serve-';
const SUFFIX = '.v8cache';

/**
 * The folder, created 0700, when only this user can write it: cached code is run as this
 * process's code, so a folder someone else can write is not used.
 */
function privateDir(dir: string): boolean {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const stat = lstatSync(dir);
    if (!stat.isDirectory()) return false;
    if (process.platform === 'win32') return true;
    return stat.uid === process.getuid?.() && (stat.mode & 0o022) === 0;
  } catch {
    return false;
  }
}

/**
 * Loads a CommonJS `file` through `vm.Script` with V8's code cache from `cacheDir`, so a later
 * start skips compiling it (Node 20 has no compile cache of its own for modules). The cache file
 * is named after a digest of the source, Node's version and the architecture, so another build
 * never reads it; V8 rejects (and we then ignore) a cache that is corrupt or from another V8.
 * Any cache failure only costs the compilation it would have saved. The file must not use
 * `import()`: Node 20 loses the callback it needs in code restored from a cache (`npm run build`
 * fails when the bundle has one).
 */
export function loadCachedScript<T>(file: string, cacheDir: string | undefined): CachedScript<T> {
  const source = readFileSync(file, 'utf8');
  const usable = cacheDir !== undefined && privateDir(cacheDir);
  const key = createHash('sha256').update(`${process.version}\0${process.arch}\0`).update(source).digest('hex').slice(0, 32);
  const cachePath = usable ? join(cacheDir, `${PREFIX}${key}${SUFFIX}`) : undefined;
  let cachedData: Buffer | undefined;
  if (cachePath) {
    try {
      cachedData = readFileSync(cachePath);
    } catch {
      cachedData = undefined;
    }
  }
  const wrapper = `(function (exports, require, module, __filename, __dirname) {${source}\n})`;
  const script = new vm.Script(wrapper, {
    filename: file,
    ...(cachedData ? { cachedData } : {}),
  });
  const module = { exports: {} as T };
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  run.call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  const cacheHit = cachedData !== undefined && !script.cachedDataRejected;
  let saved = cacheHit || cachePath === undefined;
  return {
    exports: module.exports,
    cacheHit,
    saveCache() {
      if (saved || cachePath === undefined) return;
      saved = true;
      writeCache(cacheDir!, cachePath, script.createCachedData());
    },
  };
}

/** Writes through a temporary file (a reader never sees half a cache) and drops other builds' caches. */
function writeCache(dir: string, cachePath: string, data: Buffer): void {
  try {
    const temp = `${cachePath}.${process.pid}.tmp`;
    writeFileSync(temp, data, { mode: 0o600 });
    renameSync(temp, cachePath);
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (name.startsWith(PREFIX) && name.endsWith(SUFFIX) && path !== cachePath) rmSync(path, { force: true });
    }
  } catch {
    // A read-only or full disk: the next start compiles from source, as it would without a cache.
  }
}
