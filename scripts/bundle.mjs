#!/usr/bin/env node
/**
 * The second step of `npm run build`, after `tsc`: bundles the CLI with esbuild into
 * `dist/cli/index.js` (replacing tsc's copy) and its chunks in `dist/bundle/`. Loading a few large
 * files instead of ~1,000 small ones (Fastify, zod and Kysely are hundreds of modules each, every
 * one resolved through package `exports` maps) halves `authly serve`'s cold start; `npm run
 * bench -- startup` measures it. Code splitting keeps the commands lazy: `authly --version` loads
 * only the entry, `authly --help` the command definitions, and the server's code loads only for
 * `serve` and the commands that open the database.
 *
 * The rest of tsc's `dist/` stays for the benchmarks' child processes, which import single modules.
 */
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Loaded from node_modules at run time, not bundled: native addons (better-sqlite3, argon2), and
 * Swagger UI, which serves the files of its own package folder. pg, ioredis and yaml are loaded
 * through `createRequire` only when configured, which esbuild leaves alone.
 */
const EXTERNAL = ['better-sqlite3', '@node-rs/argon2', '@fastify/swagger-ui'];

rmSync(join(root, 'dist', 'bundle'), { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: { 'cli/index': 'src/cli/index.ts' },
  outdir: 'dist',
  // Chunks at the same depth as dist/cli/, so `../../package.json` (version.ts) still finds the manifest.
  chunkNames: 'bundle/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  external: EXTERNAL,
  // Bundled CommonJS packages call `require` for Node's built-ins; an ES module has none of its own.
  banner: { js: "import { createRequire as __authlyCreateRequire } from 'node:module';\nconst require = __authlyCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});

/**
 * Fails the build on an `import()` of a package left out of the bundle: in code restored from V8's
 * code cache, Node 20 cannot run `import()` (the callback it needs is lost), so such a package must
 * be loaded with `createRequire` (bundled modules' `import()` become plain calls and are fine).
 */
const noExternalDynamicImport = {
  name: 'no-external-dynamic-import',
  setup(b) {
    b.onResolve({ filter: /.*/ }, (args) => {
      if (args.kind !== 'dynamic-import' || !EXTERNAL.some((name) => args.path === name || args.path.startsWith(`${name}/`))) return undefined;
      return { errors: [{ text: `import('${args.path}') cannot run from the code cache: require it (createRequire) instead` }] };
    });
  },
};

// `authly serve`'s code again, alone, as one CommonJS file: the serve command compiles it through
// `vm.Script` with V8's code cache (src/cli/code-cache.ts), which Node 20 offers to scripts only,
// not to ES modules. Not split: the cache covers one file.
await build({
  absWorkingDir: root,
  entryPoints: { 'bundle/server-code': 'src/cli/server-code.ts' },
  outdir: 'dist',
  outExtension: { '.js': '.cjs' },
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20.19',
  external: EXTERNAL,
  // The sources find files and packages from `import.meta.url`, which CommonJS does not have.
  define: { 'import.meta.url': '__authlyImportMetaUrl' },
  // Less to read and digest at every start; names are kept, so stack traces still name functions.
  minifyWhitespace: true,
  banner: { js: "const __authlyImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  plugins: [noExternalDynamicImport],
  logLevel: 'warning',
});

