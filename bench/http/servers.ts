/**
 * Starts each server under test in a child process of its own (so none shares an event loop with
 * the load generator or with another server), on a free loopback port, and stops it again.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/** The repository root. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Our server's entry point, as `npm run build` writes it. */
export const AUTHLY_CLI = path.join(ROOT, 'dist', 'cli', 'index.js');

/** Where the child scripts are transpiled to (under node_modules, so their imports resolve). */
const SCRIPTS = path.join(ROOT, 'node_modules', '.cache', 'authly-bench');

/** A running server. */
export interface RunningServer {
  url: string;
  child: ChildProcess;
  /** SIGTERM, then waits for the exit (a CPU profile is written on exit). */
  stop(): Promise<void>;
}

/** Only what a process needs to run: a caller's `AUTHLY_*` variables must not change the config under test. */
export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ['PATH', 'HOME', 'TMPDIR', 'LANG']) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return { ...env, ...extra };
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : fs.statSync(full).mtimeMs);
  }
  return newest;
}

/** Runs `npm run build` when `dist/` is missing or older than `src/`, so the bench measures the code in the tree. */
export function ensureBuilt(): void {
  const built = fs.existsSync(AUTHLY_CLI) ? fs.statSync(AUTHLY_CLI).mtimeMs : 0;
  if (built > 0 && built >= newestMtime(path.join(ROOT, 'src'))) return;
  console.error('bench: dist/ is missing or older than src/; running npm run build');
  const result = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) throw new Error('npm run build failed');
  // tsc leaves unchanged outputs alone; mark the build as current.
  const now = new Date();
  fs.utimesSync(AUTHLY_CLI, now, now);
}

/** A port nobody listens on right now. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Resolves with the status of `GET url`, or rejects on a connection error. */
export function getStatus(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { agent: false }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('error', reject);
  });
}

/** Polls `url` every `intervalMs` until it answers 200; rejects when the child exits or time runs out. */
export async function waitFor200(url: string, child: ChildProcess, options: { timeoutMs?: number; intervalMs?: number } = {}): Promise<void> {
  const deadline = performance.now() + (options.timeoutMs ?? 60_000);
  while (performance.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`server exited (${child.exitCode ?? child.signalCode}) before ${url} answered`);
    try {
      if ((await getStatus(url)) === 200) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 20));
  }
  throw new Error(`${url} did not answer 200 in time`);
}

/** Keeps the last few KiB of a stream, for error messages. */
function tail(stream: NodeJS.ReadableStream | null): () => string {
  let text = '';
  stream?.on('data', (chunk: Buffer) => {
    text = (text + chunk.toString('utf8')).slice(-4000);
  });
  return () => text;
}

function stopper(child: ChildProcess): () => Promise<void> {
  return async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  };
}

/** The CLI as tsc compiled it, module by module: what a CPU profile can attribute to folders. */
export const AUTHLY_CLI_MODULES = path.join(ROOT, 'dist', 'cli', 'main.js');

/**
 * `node dist/cli/index.js serve` on the given environment (a SQLite file and its master key), its
 * log lines sent to /dev/null. `nodeFlags` are passed to node (e.g. `--cpu-prof`); `entry` replaces
 * the bundled CLI (e.g. {@link AUTHLY_CLI_MODULES}).
 */
export async function startAuthly(env: Record<string, string>, nodeFlags: string[] = [], entry = AUTHLY_CLI): Promise<RunningServer> {
  const port = await freePort();
  const child = spawn(process.execPath, [...nodeFlags, entry, 'serve', '--host', '127.0.0.1', '--port', String(port)], {
    cwd: ROOT,
    env: cleanEnv(env),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const stderr = tail(child.stderr);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor200(`${url}/health`, child);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}\n${stderr()}`);
  }
  return { url, child, stop: stopper(child) };
}

/**
 * Transpiles the given files of `bench/http/` to plain JavaScript, so the servers under test run
 * as a deployment would, without a TypeScript loader in the process (ours runs from `dist/`).
 */
export function compileScripts(files: string[]): void {
  fs.mkdirSync(SCRIPTS, { recursive: true });
  // Files under node_modules belong to no package scope: say they are ES modules.
  fs.writeFileSync(path.join(SCRIPTS, 'package.json'), '{ "type": "module" }\n');
  for (const file of files) {
    const source = fs.readFileSync(path.join(ROOT, 'bench', 'http', file), 'utf8');
    const { outputText } = ts.transpileModule(source, {
      fileName: file,
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
    });
    fs.writeFileSync(path.join(SCRIPTS, file.replace(/\.ts$/, '.js')), outputText);
  }
}

/** Runs a script transpiled by {@link compileScripts}; it reports its port over IPC. */
export async function startScript(file: string, args: string[] = []): Promise<RunningServer> {
  const child = spawn(process.execPath, [path.join(SCRIPTS, file.replace(/\.ts$/, '.js')), ...args], {
    cwd: ROOT,
    env: cleanEnv({ NODE_ENV: 'production' }),
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  const stderr = tail(child.stderr);
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message) => resolve((message as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`${file} exited (${code}) before listening\n${stderr()}`)));
  });
  return { url: `http://127.0.0.1:${port}`, child, stop: stopper(child) };
}
