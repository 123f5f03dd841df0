import type { Command } from 'commander';
import { processEnvironment } from '../../../config/env.js';
import type { CliOutput } from '../../output.js';
import { AdminApi, DEFAULT_API_URL } from './api-client.js';
import type { OutputFormat } from './format.js';
import { configDirectory, TokenStore } from './token-store.js';

/** What every `authly admin` command works with. */
export interface AdminContext {
  api: AdminApi;
  output: CliOutput;
}

/** `--output` as given on the command, default `table`. */
export function outputFormat(command: Command): OutputFormat {
  const value = (command.opts() as { output?: string }).output ?? 'table';
  if (value !== 'table' && value !== 'json') throw new Error(`--output must be table or json, got "${value}"`);
  return value;
}

/**
 * The API client for a command: base URL from `--api-url`, else `AUTHLY_API_URL`, else the saved
 * login's, else Authly's default (spec §5.5); tokens in the config folder.
 */
export function adminContext(command: Command, output: CliOutput): AdminContext {
  const env = processEnvironment();
  const store = new TokenStore(configDirectory(env));
  const flag = (command.optsWithGlobals() as { apiUrl?: string }).apiUrl;
  const url = flag ?? env.AUTHLY_API_URL ?? store.load()?.api_url ?? DEFAULT_API_URL;
  return { api: new AdminApi(url, store), output };
}

/** Accumulates a repeatable option (`--redirect-uri a --redirect-uri b`). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
