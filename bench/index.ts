/**
 * `npm run bench -- <name>`: runs one micro-benchmark. Each lives in `bench/<name>.ts` and
 * exports `run(args)`; add a line to `BENCHES` to register one.
 */
const BENCHES: Record<string, () => Promise<{ run(args: string[]): Promise<void> }>> = {
  cache: () => import('./cache.js'),
  migrate: () => import('./migrate.js'),
  storage: () => import('./storage.js'),
  tokens: () => import('./tokens.js'),
  http: () => import('./http.js'),
  startup: () => import('./startup.js'),
  profile: () => import('./profile.js'),
  report: () => import('./report.js'),
};

const [name, ...args] = process.argv.slice(2);
const load = name === undefined ? undefined : BENCHES[name];
if (load === undefined) {
  console.error(`usage: npm run bench -- <${Object.keys(BENCHES).join('|')}>`);
  process.exitCode = 2;
} else {
  await (await load()).run(args);
}
