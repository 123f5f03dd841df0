import { z } from 'zod';
import { RequestValidationError, type ValidationIssue } from '../validation.js';

/** Where a value came from, FastAPI's first `loc` element. */
export type RequestLocation = 'body' | 'query' | 'path';

/** Fields whose input is never echoed back in a 422 body. */
const SECRET_FIELDS = /password|secret/i;
const MAX_ECHO = 200;

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value = root;
  for (const key of path) value = value !== null && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[key] : undefined;
  return value;
}

function echo(value: unknown, path: readonly PropertyKey[]): unknown {
  if (path.some((k) => typeof k === 'string' && SECRET_FIELDS.test(k))) return null;
  if (typeof value === 'string' && value.length > MAX_ECHO) return `${value.slice(0, MAX_ECHO)}…`;
  if (value !== null && typeof value === 'object') return null;
  return value ?? null;
}

function issueType(issue: z.core.$ZodIssue, input: unknown): string {
  if (input === undefined) return 'missing';
  switch (issue.code) {
    case 'invalid_type':
      return `${issue.expected}_type`;
    case 'too_small':
      return issue.origin === 'string' ? 'string_too_short' : 'greater_than_equal';
    case 'too_big':
      return issue.origin === 'string' ? 'string_too_long' : 'less_than_equal';
    case 'invalid_value':
      return 'enum';
    default:
      return 'value_error';
  }
}

/**
 * Parses a request part with a zod schema; a failure is FastAPI's 422 validation body,
 * one `{type, loc, msg, input}` entry per problem. Never a 500.
 */
export function parseRequest<S extends z.ZodType>(schema: S, value: unknown, location: RequestLocation): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues: ValidationIssue[] = result.error.issues.map((issue) => {
    const input = valueAt(value, issue.path);
    return {
      type: issueType(issue, input),
      loc: [location, ...issue.path.map((k) => (typeof k === 'number' ? k : String(k)))],
      msg: input === undefined ? 'Field required' : issue.message,
      input: echo(input, issue.path),
    };
  });
  throw new RequestValidationError(issues);
}

/** PostgreSQL refuses NUL in text; refusing it here keeps such input a 422, not a 500. */
function storable(value: string): boolean {
  return !value.includes('\u0000');
}

/** A string of at most `max` characters without NUL (the column's VARCHAR size). */
export function text(max: number, min = 0) {
  return z.string().min(min).max(max).refine(storable, 'String should not contain NUL characters');
}

/** Pydantic's lenient query booleans (`true`/`1`/`yes`/`on`, …). */
export function queryBool() {
  return z.preprocess((v) => {
    if (typeof v !== 'string') return v;
    const word = v.trim().toLowerCase();
    if (['true', '1', 'yes', 'on', 't', 'y'].includes(word)) return true;
    if (['false', '0', 'no', 'off', 'f', 'n'].includes(word)) return false;
    return v;
  }, z.boolean());
}

/** An integer query parameter; the upper bound keeps PostgreSQL's integer range. */
export function queryInt(min: number, max: number, fallback: number) {
  return z.preprocess((v) => (typeof v === 'string' && /^[-+]?\d+$/.test(v.trim()) ? Number(v) : v), z.number().int().min(min).max(max)).default(fallback);
}

/** A UUID path parameter (any version, as PostgreSQL's `uuid` type accepts). */
export const uuidParam = z.guid();

/** Largest offset accepted (PostgreSQL's 32-bit range keeps any backend happy). */
export const MAX_OFFSET = 2_147_483_647;
