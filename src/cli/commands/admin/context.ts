import type { Command } from 'commander';
import { processEnvironment, type Environment } from '../../../config/env.js';
import type { CliOutput } from '../../output.js';
import { AdminApi, DEFAULT_API_URL } from './api-client.js';
import type { OutputFormat } from './format.js';
import { configDirectory, TokenStore } from './token-store.js';

/** What every `authly admin` command works with. */
export interface AdminContext {
  api: AdminApi;
  output: CliOutput;
  /** Where the base URL came from (`--api-url`, `AUTHLY_API_URL`, the saved login, the default). */
  source: string;
}

/** `--output` as given on the command, default `table`. */
export function outputFormat(command: Command): OutputFormat {
  const value = (command.opts() as { output?: string }).output ?? 'table';
  if (value !== 'table' && value !== 'json') throw new Error(`--output must be table or json, got "${value}"`);
  return value;
}

/**
 * The API client for a command: base URL from `--api-url`, else `AUTHLY_API_URL`, else the saved
 * login's, else `http://localhost:8000`; tokens in the config folder. `login` skips the saved
 * login's URL (a new login names its server afresh) and reports where the URL came from.
 */
export function adminContext(command: Command, output: CliOutput, options: { forLogin?: boolean } = {}): AdminContext {
  const env = processEnvironment();
  const store = new TokenStore(configDirectory(env));
  const { url, source } = apiUrl(command, env, options.forLogin ? undefined : store.load()?.api_url);
  return { api: new AdminApi(url, store), output, source };
}

function apiUrl(command: Command, env: Environment, saved: string | undefined): { url: string; source: string } {
  const flag = (command.optsWithGlobals() as { apiUrl?: string }).apiUrl;
  if (flag) return { url: flag, source: '--api-url' };
  if (env.AUTHLY_API_URL) return { url: env.AUTHLY_API_URL, source: 'AUTHLY_API_URL' };
  if (saved) return { url: saved, source: 'the saved login' };
  return { url: DEFAULT_API_URL, source: 'the default; set --api-url or AUTHLY_API_URL for another server' };
}

/** Accumulates a repeatable option (`--redirect-uri a --redirect-uri b`). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
