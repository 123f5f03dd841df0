import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../src/cli/index.ts', import.meta.url));
// An absolute loader URL, so the CLI can run with its cwd in a temp folder.
const TSX = new URL('../../node_modules/tsx/dist/loader.mjs', import.meta.url).href;

/** How a CLI run ended. */
export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Options of one CLI run: its cwd and extra environment (on top of a minimal, clean one). */
export interface CliRunOptions {
  cwd: string;
  env?: Record<string, string>;
}

/** The developer's AUTHLY_*, DATABASE_URL, PORT ... must not leak into the CLI under test. */
function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const keep = ['PATH', 'HOME', 'TMPDIR', 'SYSTEMROOT'];
  const base = Object.fromEntries(keep.flatMap((k) => (process.env[k] ? [[k, process.env[k]]] : [])));
  return { ...base, ...extra };
}

/** Starts `authly <args>` through tsx; the caller reads its streams. */
export function startCli(args: readonly string[], options: CliRunOptions): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, ['--import', TSX, CLI, ...args], { cwd: options.cwd, env: cleanEnv(options.env) });
}

/** Resolves with the exit code and everything written, once the process has exited. */
export function finished(child: ChildProcessWithoutNullStreams): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs `authly <args>` to completion. */
export function runCli(args: readonly string[], options: CliRunOptions): Promise<CliResult> {
  return finished(startCli(args, options));
}

/** Resolves with the first output (stdout by default) matching `pattern`; the test timeout bounds the wait. */
export function waitForLine(
  child: ChildProcessWithoutNullStreams,
  pattern: RegExp,
  stream: 'stdout' | 'stderr' = 'stdout',
): Promise<RegExpMatchArray> {
  const source = child[stream];
  return new Promise((resolve, reject) => {
    let buffered = '';
    function onData(chunk: Buffer): void {
      buffered += chunk.toString();
      const match = buffered.match(pattern);
      if (match) {
        source.off('data', onData);
        resolve(match);
      }
    }
    source.on('data', onData);
    child.once('exit', (code) => reject(new Error(`CLI exited (${code}) before printing ${pattern}:\n${buffered}`)));
  });
}
