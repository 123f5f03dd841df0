/**
 * `npm run bench -- http`: our server beside node-oidc-provider (what a Node team would pick
 * instead), over HTTP, in one run on one machine. Servers under test, each in its own child process:
 *
 * - Authly: `node dist/cli/index.js serve`, default config on a fresh SQLite file (rate limits off);
 * - node-oidc-provider with its default in-memory adapter (opaque tokens, and a second client whose
 *   client-credentials tokens are ES256 JWTs), and again with a small durable SQLite adapter;
 * - the ceilings: a bare Fastify form-POST route, argon2id verification alone (in a child), and the
 *   durable-JWT floor (a Fastify route that signs an ES256 JWT and commits its digest, nothing more).
 *
 * Workloads, driven by autocannon through the same HTTP requests on every server: client
 * credentials, introspection of fresh tokens, refresh with rotation, the password grant (ours
 * only) and a whole authorization-code flow (login form + consent + code exchange). Every
 * (workload, server) row runs once per round for `--seconds`, rounds in rotated order; the table
 * shows medians, failures (a row with more than 1 % is invalid) and ratios to the ceiling and to
 * node-oidc-provider in memory. Absolute numbers depend on the machine and its load: read ratios.
 *
 * Options: `--seconds <n>` per row and round (default 8), `--rounds <n>` (3), `--connections <n>`
 * (32), `--warmup <n>` seconds per row before the first round (1; 0 skips), `--workloads a,b` and
 * `--servers a,b` (subsets, by the names in the table's keys), `--cpu-prof <dir>` (our server runs
 * with `node --cpu-prof`, the profile is written there when it stops).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { runLoad } from './http/load.js';
import { fromLoad, loadBeforeRun, markdownTable, rowKey, summarise, writeResults, type Measurement, type Row } from './http/report.js';
import { seedDatabase, type Fixture } from './http/seed.js';
import { AUTHLY_CLI_MODULES, cleanEnv, compileScripts, ensureBuilt, ROOT, startAuthly, startScript, type RunningServer } from './http/servers.js';
import * as steps from './http/steps.js';
import { listOption, option, stringOption } from './options.js';
import { cpuMilliseconds, forgetProcesses } from './http/process-cpu.js';
import type { PeerConfig } from './http/peer-server.js';

interface Options {
  seconds: number;
  rounds: number;
  connections: number;
  warmup: number;
  workloads: string[] | undefined;
  servers: string[] | undefined;
  cpuProf: string | undefined;
}

/** A row plus how to check and measure it. */
interface Cell extends Row {
  check(): Promise<void>;
  measure(seconds: number): Promise<Measurement>;
}

const INTROSPECTION_POOL = 500;
const REFRESH_SPARE = 8;
const AUTHLY_ENDPOINTS = { token: '/api/v1/oauth/token', introspect: '/api/v1/oauth/introspect', authorize: '/api/v1/oauth/authorize' };
const PEER_ENDPOINTS = { token: '/token', introspect: '/token/introspection', authorize: '/auth' };

const LABELS: Record<string, { label: string; tokens: string }> = {
  authly: { label: 'Authly', tokens: 'ES256 JWT, recorded in SQLite' },
  'peer-memory': { label: 'node-oidc-provider, memory', tokens: 'opaque, in memory (LRU)' },
  'peer-memory-jwt': { label: 'node-oidc-provider, memory', tokens: 'ES256 JWT, not stored' },
  'peer-sqlite': { label: 'node-oidc-provider, SQLite', tokens: 'opaque, recorded in SQLite' },
  floor: { label: 'durable-JWT floor (Fastify, no features)', tokens: 'ES256 JWT, recorded in SQLite' },
  fastify: { label: 'Fastify bare form POST', tokens: '–' },
  argon2id: { label: 'argon2id verify alone', tokens: '–' },
};

function parseOptions(args: string[]): Options {
  return {
    seconds: option(args, 'seconds', 8),
    rounds: Math.round(option(args, 'rounds', 3)),
    connections: Math.round(option(args, 'connections', 32)),
    warmup: option(args, 'warmup', 1, -1),
    workloads: listOption(args, 'workloads'),
    servers: listOption(args, 'servers'),
    cpuProf: stringOption(args, 'cpu-prof'),
  };
}

function oidcProviderVersion(): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', 'oidc-provider', 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

function peerConfig(fixture: Fixture, adapter: PeerConfig['adapter'], dir: string): PeerConfig {
  return {
    adapter,
    dbPath: path.join(dir, 'peer.db'),
    client: fixture.client,
    jwtClient: { id: `${fixture.client.id}-jwt`, secret: fixture.client.secret },
    user: { username: fixture.user.username, subject: fixture.user.subject, passwordHash: fixture.passwordHash },
    redirectUri: fixture.redirectUri,
  };
}

/** Measures argon2id in a child process (so it has the machine as the servers do), `connections` in flight. */
function argon2Ceiling(seconds: number, connections: number): Measurement {
  const out = execFileSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench', 'http', 'argon2-ceiling.ts'), String(seconds), String(connections)], {
    cwd: ROOT,
    env: cleanEnv(),
    encoding: 'utf8',
  });
  const { verifyPerSecond, hashPerSecond } = JSON.parse(out) as { verifyPerSecond: number; hashPerSecond: number };
  return { perSecond: verifyPerSecond, units: Math.round(verifyPerSecond * seconds), failures: 0, samples: [`hash/s ${hashPerSecond.toFixed(1)}`] };
}

/**
 * The table's rows for the servers that were started. `ceiling` and `peer` name the rows each one
 * is divided by.
 */
function buildCells(o: Options, fixture: Fixture, servers: Map<string, RunningServer>): Cell[] {
  const cells: Cell[] = [];
  const base = { client: fixture.client, user: fixture.user, redirectUri: fixture.redirectUri };
  // Each row's server process: its URL, and its pid for the CPU it spends.
  const at = (name: string) => ({ url: servers.get(name)?.url, pid: servers.get(name)?.child.pid });
  const targets: Record<string, { target: steps.Target; url: string | undefined; pid: number | undefined }> = {
    authly: { target: { kind: 'authly', endpoints: AUTHLY_ENDPOINTS, ...base }, ...at('authly') },
    'peer-memory': { target: { kind: 'peer', endpoints: PEER_ENDPOINTS, ...base }, ...at('peer-memory') },
    'peer-memory-jwt': {
      target: { kind: 'peer', endpoints: PEER_ENDPOINTS, ...base, client: { id: `${fixture.client.id}-jwt`, secret: fixture.client.secret } },
      ...at('peer-memory'),
    },
    'peer-sqlite': { target: { kind: 'peer', endpoints: PEER_ENDPOINTS, ...base }, ...at('peer-sqlite') },
    floor: { target: { kind: 'ceiling', endpoints: { token: '/token', introspect: '/introspect', authorize: '/' }, ...base }, ...at('floor') },
    fastify: { target: { kind: 'ceiling', endpoints: { token: '/token', introspect: '/token', authorize: '/' }, ...base }, ...at('fastify') },
  };
  const wanted = (workload: string, server: string) =>
    (o.workloads === undefined || o.workloads.includes(workload)) && (o.servers === undefined || o.servers.includes(server));
  // The server's CPU is read around the timed load only, not around the preparation (minting).
  const load = async (url: string, pid: number | undefined, s: steps.Step[], seconds: number): Promise<Measurement> => {
    const before = await cpuMilliseconds(pid);
    const m = fromLoad(await runLoad(url, s, { connections: o.connections, seconds }));
    const after = await cpuMilliseconds(pid);
    return before === undefined || after === undefined || m.units === 0 ? m : { ...m, cpuPerUnit: ((after - before) * 1000) / m.units };
  };

  function http(workload: string, server: string, row: Partial<Row>, prepare: (t: steps.Target, url: string) => Promise<steps.Step[]>, extraCheck?: (t: steps.Target, url: string) => Promise<void>): void {
    const { target, url, pid } = targets[server]!;
    if (!url || !wanted(workload, server)) return;
    cells.push({
      workload,
      server,
      ...LABELS[server]!,
      unit: 'req/s',
      rounds: [],
      ...row,
      check: async () => {
        await steps.runOnce(url, await prepare(target, url));
        await extraCheck?.(target, url);
      },
      measure: async (seconds) => load(url, pid, await prepare(target, url), seconds),
    });
  }

  const fastifyKey = rowKey({ workload: 'ceiling', server: 'fastify' });
  const argonKey = rowKey({ workload: 'ceiling', server: 'argon2id' });
  const codeFlow = (t: steps.Target) => (t.kind === 'authly' ? steps.authlyCodeFlow(t) : steps.peerCodeFlow(t));
  const mintAccessTokens = async (t: steps.Target, url: string) =>
    (await steps.runMany(url, () => steps.clientCredentials(t), INTROSPECTION_POOL)).map((s) => (JSON.parse(String(s.result?.body)) as { access_token: string }).access_token);
  // One chain per connection plus a few spare; minted afresh for every run, because
  // node-oidc-provider's in-memory LRU forgets them while other workloads run.
  const mintRefreshTokens = async (t: steps.Target, url: string) =>
    (await steps.runMany(url, () => codeFlow(t), o.connections + REFRESH_SPARE)).map((s) => String(s.result?.refresh_token));
  // Rotation must be real on both sides: a refresh token presented twice is refused the second time.
  const replayRefused = async (t: steps.Target, url: string) => {
    const token = String((await steps.runOnce(url, codeFlow(t))).result?.refresh_token);
    await steps.runOnce(url, steps.refresh(t, [token]));
    const replay = await fetch(`${url}${t.endpoints.token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: steps.basicAuth(t.client) },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: token }),
    });
    if (replay.status === 200) throw new Error(`${t.kind}: a rotated refresh token was accepted again`);
  };

  for (const server of ['authly', 'peer-memory', 'peer-memory-jwt', 'peer-sqlite']) {
    const peer = (w: string) => rowKey({ workload: w, server: 'peer-memory' });
    http('client_credentials', server, { ceiling: fastifyKey, peer: peer('client_credentials') }, async (t) => steps.clientCredentials(t));
    if (server === 'peer-memory-jwt') continue;
    http('introspection', server, { ceiling: fastifyKey, peer: peer('introspection') }, async (t, url) => steps.introspection(t, await mintAccessTokens(t, url)));
    http('refresh', server, { ceiling: fastifyKey, peer: peer('refresh') }, async (t, url) => steps.refresh(t, await mintRefreshTokens(t, url)), replayRefused);
    if (server === 'authly') {
      http('password', server, { ceiling: argonKey, note: 'no password grant' }, async (t) => steps.passwordGrant(t));
    }
    http('code_flow', server, { ceiling: argonKey, peer: peer('code_flow'), unit: 'flows/s' }, async (t) => codeFlow(t));
  }
  for (const workload of ['client_credentials', 'introspection'] as const) {
    const row = { ceiling: fastifyKey, peer: rowKey({ workload, server: 'peer-memory' }) };
    if (workload === 'client_credentials') http(workload, 'floor', row, async (t) => steps.clientCredentials(t));
    else http(workload, 'floor', row, async (t, url) => steps.introspection(t, await mintAccessTokens(t, url)));
  }
  http('ceiling', 'fastify', {}, async (t) => steps.clientCredentials(t));
  if (wanted('ceiling', 'argon2id')) {
    cells.push({
      workload: 'ceiling',
      server: 'argon2id',
      ...LABELS.argon2id!,
      unit: 'verify/s',
      rounds: [],
      check: async () => void argon2Ceiling(0.2, 2),
      measure: async (seconds) => argon2Ceiling(seconds, o.connections),
    });
  }
  return cells;
}

function footnotes(o: Options): string[] {
  return [
    'Authly: `node dist/cli/index.js serve` with its default configuration on a fresh SQLite file (WAL, `synchronous=NORMAL`), ' +
      'info-level logs to /dev/null, except `rate_limit.enabled=false` (the password and login workloads would otherwise be refused after 100 logins a minute). ' +
      'Access and refresh tokens are ES256 JWTs, each recorded (as a digest) in SQLite before the answer; refresh tokens rotate; ID tokens RS256.',
    `node-oidc-provider ${oidcProviderVersion()}: opaque access tokens by default; its in-memory adapter is an LRU of 1,000 entries, lost on restart. ` +
      'The JWT variant (second client, resource indicator) signs ES256 access tokens that are not stored at all, so they cannot be introspected or revoked. ' +
      'The SQLite adapter is `bench/http/peer-sqlite-adapter.ts` (WAL, `synchronous=NORMAL`). Refresh tokens rotate on every use and are not bound to the browser session, as ours; ID tokens RS256.',
    'Same HTTP requests on every server: `client_secret_basic`, form bodies; introspection of fresh client-credentials tokens (a pool minted just before each run); ' +
      `refresh chains each answer's refresh token into a later request (${o.connections + REFRESH_SPARE} chains minted through the code flow before each run).`,
    'code_flow is a whole authorization-code flow with PKCE, a fresh browser each time: login page, password + consent in one form (argon2id), redirect with the code, code exchange. ' +
      'Ours takes 3 requests, node-oidc-provider 5 (authorize, interaction page, form, resume, token); rate and latency are per flow.',
    'The durable-JWT floor (`bench/http/floor-server.ts`) keeps only the rules: Basic credentials compared in constant time, an ES256 JWT from `crypto.sign` (on our signing thread, as the server by default with more than one CPU), its digest committed to SQLite (one transaction per event-loop turn) before the answer, introspection by `jti` and digest; ' +
      'no logs, hooks, metrics, audit, cache or scope checks. No server with our token format and durability serves more on this machine.',
    'Ceilings: the Fastify row (same body parser, no work) for client_credentials, introspection and refresh; argon2id verification with the server\'s parameters ' +
      `(m=19 MiB, t=2, p=1, ${o.connections} in flight, in a child process) for password and code_flow. node-oidc-provider has no password grant (OAuth 2.1 drops it).`,
    'CPU µs/unit: CPU time (user + system, all threads) the server process spent during the timed run, divided by the units it completed; the median of the rounds. ' +
      'It moves far less with the machine\'s load than the rates do. node-oidc-provider\'s two clients share one process.',
    `Load: autocannon in the bench process, ${o.connections} connections, ${o.seconds} s per row, median of ${o.rounds} interleaved rounds on ${os.cpus().length} cores shared with the load generator. ` +
      'Compare ratios, not absolute numbers. A row with more than 1 % failed units, or none completed, is INVALID.',
  ];
}

/** `npm run bench -- http [options]`. */
export async function run(args: string[]): Promise<void> {
  const o = parseOptions(args);
  const loadavgBefore = loadBeforeRun();
  ensureBuilt();
  compileScripts(['peer-server.ts', 'peer-sqlite-adapter.ts', 'ceiling-server.ts', 'floor-server.ts']);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'authly-bench-http-'));
  const env = { AUTHLY_DATABASE__SQLITE__PATH: path.join(dir, 'authly.db'), AUTHLY_RATE_LIMIT__ENABLED: 'false', AUTHLY_ADMIN_PASSWORD: 'Bench-admin-password-1' };
  const fixture = await seedDatabase(env);
  const servers = new Map<string, RunningServer>();
  const needs = (name: string) => o.servers === undefined || o.servers.some((s) => s === name || s.startsWith(`${name}-`));
  try {
    // A profile of the bundle would charge every function to one file: profile the same code as
    // tsc compiled it, module by module, so `bench profile` can group it by package and folder.
    if (needs('authly')) {
      servers.set('authly', o.cpuProf ? await startAuthly(env, ['--cpu-prof', '--cpu-prof-dir', path.resolve(o.cpuProf)], AUTHLY_CLI_MODULES) : await startAuthly(env));
    }
    if (needs('peer-memory')) servers.set('peer-memory', await startScript('peer-server.ts', [JSON.stringify(peerConfig(fixture, 'memory', dir))]));
    if (needs('peer-sqlite')) servers.set('peer-sqlite', await startScript('peer-server.ts', [JSON.stringify(peerConfig(fixture, 'sqlite', dir))]));
    if (needs('fastify')) servers.set('fastify', await startScript('ceiling-server.ts'));
    if (needs('floor')) {
      // The floor signs as our server does by default: on the signing thread when there is a second CPU.
      const signingThread = os.availableParallelism() > 1 ? pathToFileURL(path.join(ROOT, 'dist', 'crypto', 'signing-thread.js')).href : undefined;
      servers.set('floor', await startScript('floor-server.ts', [JSON.stringify({ dbPath: path.join(dir, 'floor.db'), client: fixture.client, signingThread })]));
    }

    const cells = buildCells(o, fixture, servers);
    if (cells.length === 0) throw new Error('no rows selected (see --workloads and --servers)');
    const total = cells.length * (o.rounds * o.seconds + o.warmup);
    console.error(`bench http: ${cells.length} rows × ${o.rounds} rounds × ${o.seconds} s (+${o.warmup} s warm-up), about ${Math.ceil(total / 60)} min of load`);

    // Before anything is timed, every workload must work on every server.
    for (const cell of cells) {
      await cell.check().catch((error: unknown) => {
        throw new Error(`sanity check failed for ${rowKey(cell)}: ${(error as Error).message}`);
      });
    }
    if (o.warmup > 0) for (const cell of cells) await cell.measure(o.warmup);

    for (let round = 0; round < o.rounds; round++) {
      const offset = Math.floor((round * cells.length) / o.rounds);
      const order = [...cells.slice(offset), ...cells.slice(0, offset)];
      for (const cell of order) {
        const m = await cell.measure(o.seconds);
        cell.rounds.push(m);
        console.error(
          `  round ${round + 1}/${o.rounds}  ${rowKey(cell).padEnd(36)} ${Math.round(m.perSecond).toString().padStart(7)} ${cell.unit}` +
            `${m.p99 === undefined ? '' : `  p99 ${m.p99.toFixed(1)} ms`}  failed ${m.failures}${m.samples?.length ? `  (${m.samples[0]})` : ''}`,
        );
      }
    }

    const summaries = summarise(cells.map(({ check: _check, measure: _measure, ...row }) => row));
    console.log(`\n## bench http: ${new Date().toISOString()}\n`);
    console.log(markdownTable(summaries, footnotes(o)));
    const file = writeResults(path.join(ROOT, 'bench', 'results'), 'http', { options: o, oidcProvider: oidcProviderVersion(), rows: summaries, loadavgBefore });
    console.log(`\nresults: ${path.relative(process.cwd(), file)}`);
  } finally {
    await Promise.all([...servers.values()].map((s) => s.stop()));
    forgetProcesses();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
