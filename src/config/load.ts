import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';
import { deepFreeze } from './deep-freeze.js';
import { configFileFromEnvironment, environmentAssignments, processEnvironment } from './env.js';
import type { Assignment, Environment } from './env.js';
import { ConfigError, describeValue } from './errors.js';
import type { ConfigProblem } from './errors.js';
import { problemsFromIssues } from './issues.js';
import { configSchema } from './schema.js';
import type { Config } from './schema.js';

/** Parse options for the one config parse of a process (see loadConfig). */
const PARSE_ONCE = { jitless: true } as const;

/** Command-line flags that override the configuration (`authly serve --host --port --config`). */
export interface ConfigFlags {
  config?: string | undefined;
  host?: string | undefined;
  port?: string | number | undefined;
}

/** Inputs of {@link loadConfig}; all optional. */
export interface LoadConfigOptions {
  /** CLI flags, the highest precedence. */
  flags?: ConfigFlags;
  /** Defaults to `process.env`. */
  env?: Environment;
  /** A config file path, used when neither `--config` nor `AUTHLY_CONFIG` names one. */
  file?: string;
}

/**
 * Loads, validates and deep-freezes the configuration.
 * Precedence: defaults < file < environment < CLI flags. The file is `--config`, else
 * `AUTHLY_CONFIG`, else `options.file`; with none of them the defaults stand alone.
 * @throws ConfigError listing every problem (file, YAML syntax, values) at once.
 */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = options.env ?? processEnvironment();
  const flags = options.flags ?? {};
  const problems: ConfigProblem[] = [];
  const tree: Record<string, unknown> = {};
  const sources = new Map<string, string>();

  const file = fileSelection(flags, env, options.file);
  if (file !== undefined) {
    const content = readConfigFile(file.path, file.source, problems);
    recordSources(content, [], file.path, sources);
    Object.assign(tree, content);
  }
  for (const assignment of [...environmentAssignments(env), ...flagAssignments(flags)]) {
    assign(tree, assignment, sources);
  }

  // Parsed once per process: zod's JIT would compile a parser per object schema first (`new
  // Function`), which costs more than the one interpreted parse (bench/README.md, `startup`).
  const result = configSchema.safeParse(tree, PARSE_ONCE);
  if (!result.success) {
    const defaults = configSchema.parse({}, PARSE_ONCE) as Record<string, unknown>;
    problems.push(...problemsFromIssues(result.error.issues, { tree, sources, defaults }));
  }
  if (problems.length > 0 || !result.success) throw new ConfigError(problems);
  return deepFreeze(result.data);
}

function fileSelection(flags: ConfigFlags, env: Environment, file: string | undefined) {
  if (flags.config) return { path: flags.config, source: '--config' };
  const fromEnv = configFileFromEnvironment(env);
  if (fromEnv) return { path: fromEnv, source: 'AUTHLY_CONFIG' };
  return file === undefined ? undefined : { path: file, source: 'loadConfig' };
}

/** Reads and parses the YAML file; problems are collected, and an unusable file counts as empty. */
function readConfigFile(path: string, source: string, problems: ConfigProblem[]): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    problems.push({ path, expected: 'a readable YAML config file', got: reason, source });
    return {};
  }
  // Required only when there is a file to read: most starts configure through the environment.
  const { LineCounter, parseDocument } = createRequire(import.meta.url)('yaml') as typeof Yaml;
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  for (const error of doc.errors) {
    const { line, col } = lineCounter.linePos(error.pos[0]);
    const got = error.message.split('\n')[0] ?? error.code;
    problems.push({ path: `${path}:${line}:${col}`, expected: 'valid YAML', got, source });
  }
  if (doc.errors.length > 0) return {};
  const content: unknown = doc.toJS();
  if (content === null || content === undefined) return {};
  if (typeof content !== 'object' || Array.isArray(content)) {
    problems.push({ path, expected: 'a mapping of sections (server, database, ...)', got: describeValue(content), source });
    return {};
  }
  return content as Record<string, unknown>;
}

function flagAssignments(flags: ConfigFlags): Assignment[] {
  const out: Assignment[] = [];
  if (flags.host !== undefined) out.push({ path: ['server', 'host'], value: flags.host, source: '--host' });
  if (flags.port !== undefined) out.push({ path: ['server', 'port'], value: flags.port, source: '--port' });
  return out;
}

function assign(tree: Record<string, unknown>, { path, value, source }: Assignment, sources: Map<string, string>): void {
  let node = tree;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    // A scalar where a section belongs is replaced: the later layer decides that section.
    if (next === null || typeof next !== 'object' || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1] as string] = value;
  sources.set(path.join('.'), source);
}

function recordSources(node: unknown, path: string[], source: string, sources: Map<string, string>): void {
  if (node === null || typeof node !== 'object' || Array.isArray(node)) return;
  for (const [key, value] of Object.entries(node)) {
    const here = [...path, key];
    sources.set(here.join('.'), source);
    recordSources(value, here, source, sources);
  }
}
