import type { z } from 'zod';
import { describeValue, type ConfigProblem } from './errors.js';

/** A raw (unvalidated) configuration tree plus where each value came from. */
export interface RawLayers {
  /** The merged input: file, then environment, then flags. */
  readonly tree: Record<string, unknown>;
  /** Dotted path → source (file name, variable or flag) for every value that was set. */
  readonly sources: ReadonlyMap<string, string>;
  /** The fully defaulted configuration, used to list the keys that exist. */
  readonly defaults: Record<string, unknown>;
}

/** Reads a nested value; `undefined` when any step is missing or not a mapping. */
export function valueAt(tree: unknown, path: readonly PropertyKey[]): unknown {
  let node = tree;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

/** Converts zod issues into problems: one per offending key, with value and source. */
export function problemsFromIssues(issues: readonly z.core.$ZodIssue[], layers: RawLayers): ConfigProblem[] {
  return issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => unknownKeyProblem([...issue.path, key], layers));
    }
    return [problemAt(issue.path, expectedFor(issue), layers)];
  });
}

function unknownKeyProblem(path: readonly PropertyKey[], layers: RawLayers): ConfigProblem {
  const known = valueAt(layers.defaults, path.slice(0, -1));
  const names = known !== null && typeof known === 'object' ? Object.keys(known).join(', ') : '';
  return problemAt(path, `a known key (${names})`, layers);
}

function problemAt(path: readonly PropertyKey[], expected: string, layers: RawLayers): ConfigProblem {
  const dotted = path.map(String).join('.') || '(root)';
  const problem: ConfigProblem = { path: dotted, expected, got: describeGot(path, dotted, layers) };
  const source = sourceOf(dotted, layers.sources);
  return source === undefined ? problem : { ...problem, source };
}

/** The offending value; a key nobody set shows its default (cross-key rules such as redis.url). */
function describeGot(path: readonly PropertyKey[], dotted: string, layers: RawLayers): string {
  const given = valueAt(layers.tree, path);
  if (given !== undefined) return describeValue(given, dotted);
  const fallback = valueAt(layers.defaults, path);
  return fallback === undefined ? 'nothing' : `${describeValue(fallback, dotted)} (the default)`;
}

/**
 * The source recorded for the path, else for its nearest parent, else for a child (an unknown
 * section such as `postgresql` set only through `AUTHLY_POSTGRESQL__URL`).
 */
function sourceOf(dotted: string, sources: ReadonlyMap<string, string>): string | undefined {
  for (let p = dotted; p !== ''; p = p.includes('.') ? p.slice(0, p.lastIndexOf('.')) : '') {
    const source = sources.get(p);
    if (source !== undefined) return source;
  }
  for (const [path, source] of sources) if (path.startsWith(`${dotted}.`)) return source;
  return undefined;
}

const TYPE_NAMES: Readonly<Record<string, string>> = { object: 'a mapping', array: 'a list' };

function expectedFor(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return TYPE_NAMES[issue.expected] ?? issue.expected;
    case 'invalid_value':
      return `one of ${issue.values.map(String).join('|')}`;
    case 'too_small':
      return issue.origin === 'string'
        ? 'a non-empty string'
        : `${issue.origin} ${issue.inclusive ? '>=' : '>'} ${String(issue.minimum)}`;
    case 'too_big':
      return `${issue.origin} ${issue.inclusive ? '<=' : '<'} ${String(issue.maximum)}`;
    case 'invalid_format':
      return `a valid ${issue.format}`;
    default:
      // Custom refinements carry their expectation as the message ("a postgresql:// ... URL").
      return issue.message;
  }
}
