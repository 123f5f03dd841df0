import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadCachedScript } from '../../src/cli/code-cache.js';
import { codeCacheDir } from '../../src/config/code-cache-dir.js';

/*
 * `authly serve` compiles its bundle through V8's code cache. A cache is only an optimisation:
 * a missing, corrupt or other build's cache, or a folder others can write, must still load the
 * code from source, and never run cached code from a folder someone else controls.
 */
const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) fs.rmSync(folder, { recursive: true, force: true });
});

function workspace(): { script: string; cache: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'authly-code-cache-'));
  folders.push(dir);
  const script = path.join(dir, 'code.cjs');
  fs.writeFileSync(script, "exports.answer = function answer() { return 'from source ' + require('node:path').basename(__filename); };\n");
  return { script, cache: path.join(dir, 'cache') };
}

/*
 * V8 keeps what it compiled for the life of the process, by source and file name: a second load
 * of the same path in this process would never read the cache file. A copy under another name
 * (same content, so the same cache file) stands for the next start.
 */
let copies = 0;
function nextStart(script: string): string {
  const copy = path.join(path.dirname(script), `start-${++copies}`, path.basename(script));
  fs.mkdirSync(path.dirname(copy));
  fs.copyFileSync(script, copy);
  return copy;
}

function cacheFiles(dir: string): string[] {
  return fs.readdirSync(dir).filter((name) => name.endsWith('.v8cache'));
}

interface Code {
  answer(): string;
}

describe('loadCachedScript', () => {
  it('runs the file as CommonJS, writes the cache once asked, and uses it on the next load', () => {
    const { script, cache } = workspace();
    const first = loadCachedScript<Code>(script, cache);
    expect(first.exports.answer()).toBe('from source code.cjs');
    expect(first.cacheHit).toBe(false);
    first.saveCache();
    const [file] = cacheFiles(cache);
    expect(file).toBeDefined();
    if (process.platform !== 'win32') {
      expect(fs.statSync(cache).mode & 0o777).toBe(0o700);
      expect(fs.statSync(path.join(cache, file!)).mode & 0o777).toBe(0o600);
    }

    const second = loadCachedScript<Code>(nextStart(script), cache);
    expect(second.cacheHit).toBe(true);
    expect(second.exports.answer()).toBe('from source code.cjs');
  });

  it('ignores a corrupt cache and replaces it', () => {
    const { script, cache } = workspace();
    loadCachedScript<Code>(script, cache).saveCache();
    const [file] = cacheFiles(cache);
    fs.writeFileSync(path.join(cache, file!), 'not V8 code at all');

    const loaded = loadCachedScript<Code>(nextStart(script), cache);
    expect(loaded.cacheHit).toBe(false);
    expect(loaded.exports.answer()).toBe('from source code.cjs');
    loaded.saveCache();
    expect(loadCachedScript<Code>(nextStart(script), cache).cacheHit).toBe(true);
  });

  it('never reads the cache of another build of the file, and drops it when saving', () => {
    const { script, cache } = workspace();
    loadCachedScript<Code>(script, cache).saveCache();
    const [old] = cacheFiles(cache);
    // Same length, other code: V8 alone would not tell them apart.
    fs.writeFileSync(script, fs.readFileSync(script, 'utf8').replace('from source', 'rebuilt ok!'));

    const rebuilt = loadCachedScript<Code>(script, cache);
    expect(rebuilt.cacheHit).toBe(false);
    expect(rebuilt.exports.answer()).toBe('rebuilt ok! code.cjs');
    rebuilt.saveCache();
    expect(cacheFiles(cache)).toHaveLength(1);
    expect(cacheFiles(cache)).not.toContain(old);
  });

  it.skipIf(process.platform === 'win32')('neither reads nor writes a cache in a folder others can write', () => {
    const { script, cache } = workspace();
    loadCachedScript<Code>(script, cache).saveCache();
    fs.chmodSync(cache, 0o777);

    const loaded = loadCachedScript<Code>(nextStart(script), cache);
    expect(loaded.cacheHit).toBe(false);
    expect(loaded.exports.answer()).toBe('from source code.cjs');
    const before = cacheFiles(cache).map((name) => fs.statSync(path.join(cache, name)).mtimeMs);
    loaded.saveCache();
    expect(cacheFiles(cache).map((name) => fs.statSync(path.join(cache, name)).mtimeMs)).toEqual(before);
  });

  it('loads without a cache when there is no folder for one', () => {
    const { script } = workspace();
    const loaded = loadCachedScript<Code>(script, undefined);
    expect(loaded.cacheHit).toBe(false);
    loaded.saveCache();
    expect(loaded.exports.answer()).toBe('from source code.cjs');
  });
});

describe('codeCacheDir', () => {
  it('is AUTHLY_CODE_CACHE_DIR, none when it is off, else authly/ under the cache folder', () => {
    expect(codeCacheDir({ AUTHLY_CODE_CACHE_DIR: '/srv/cache' })).toBe('/srv/cache');
    expect(codeCacheDir({ AUTHLY_CODE_CACHE_DIR: 'off' })).toBeUndefined();
    expect(codeCacheDir({ XDG_CACHE_HOME: '/xdg' })).toBe(path.join('/xdg', 'authly'));
    expect(codeCacheDir({})).toBe(path.join(os.homedir(), '.cache', 'authly'));
  });
});
