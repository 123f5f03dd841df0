/*
 * Deep copies of plain data (objects, arrays, Dates, primitives): what the domain types are made
 * of. The in-process tier hands out copies so a caller mutating a result cannot change what the
 * next caller reads. The memory hit path is what the cache exists for, and a generic copy of a
 * 35-field client costs several microseconds (`structuredClone` more), so `clonerFor` compiles,
 * once per object shape, a function that copies that shape with one object literal.
 */

/** Copies a value of one shape. */
export type Cloner<T> = (value: T) => T;

/** A deep copy of any plain data (the slow, general path). */
export function cloneValue<T>(value: T): T {
  return cloneAny(value) as T;
}

function cloneAny(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Date) return new Date(value.getTime());
  if (Array.isArray(value)) return value.map(cloneAny);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) out[key] = cloneAny((value as Record<string, unknown>)[key]);
  return out;
}

const byShape = new Map<string, Cloner<unknown>>();
/** Shapes are the few domain types; the bound only guards against a caller caching odd data. */
const MAX_SHAPES = 256;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** How a field is copied: as is, as a Date, as an array of primitives, or by the general copy. */
function fieldKind(value: unknown): 'p' | 'd' | 's' | 'o' {
  if (value === null || typeof value !== 'object') return 'p';
  if (value instanceof Date) return 'd';
  if (Array.isArray(value) && value.every((item) => item === null || typeof item !== 'object')) return 's';
  return 'o';
}

const COPY = { p: (f: string) => `o[${f}]`, d: (f: string) => `new Date(o[${f}].getTime())`, s: (f: string) => `o[${f}].slice()`, o: (f: string) => `c(o[${f}])` };

/**
 * A copier for objects with exactly `sample`'s keys and field kinds, compiled to one object
 * literal (so copies also get V8's fast property layout).
 */
function objectCloner(sample: Record<string, unknown>): Cloner<unknown> | undefined {
  const keys = Object.keys(sample);
  const kinds = keys.map((key) => fieldKind(sample[key]));
  const signature = `${keys.join('\u0000')}\u0001${kinds.join('')}`;
  const known = byShape.get(signature);
  if (known !== undefined || byShape.size >= MAX_SHAPES) return known;
  // Keys become quoted property names in generated code; JSON.stringify makes any string safe.
  const fields = keys.map((key, i) => `${JSON.stringify(key)}: ${COPY[kinds[i] as 'p'](JSON.stringify(key))}`);
  const compiled = new Function('c', `return function copyShape(o) { return { ${fields.join(', ')} }; };`)(cloneAny) as Cloner<unknown>;
  byShape.set(signature, compiled);
  return compiled;
}

function sameShape(sample: Record<string, unknown>, value: unknown): boolean {
  if (!isPlainObject(value)) return false;
  const keys = Object.keys(sample);
  const other = Object.keys(value);
  return keys.length === other.length && keys.every((key, i) => other[i] === key && fieldKind(sample[key]) === fieldKind(value[key]));
}

/**
 * A copier specialised for `sample`'s shape: compiled for a plain object or a homogeneous array
 * of plain objects, `slice` for an array of primitives, the general copy otherwise. It is only
 * valid for values of that exact shape (keys and field kinds): the memory tier computes it when storing a value and
 * keeps it with that value (which nobody else can reach, so its shape never changes).
 */
export function clonerFor<T>(sample: T): Cloner<T> {
  if (isPlainObject(sample)) return (objectCloner(sample) ?? cloneValue) as Cloner<T>;
  if (!Array.isArray(sample)) return cloneValue;
  if (sample.every((item) => item === null || typeof item !== 'object')) {
    return ((list: unknown[]) => list.slice()) as unknown as Cloner<T>;
  }
  const first: unknown = sample[0];
  if (isPlainObject(first)) {
    const element = sample.every((item) => sameShape(first, item)) ? objectCloner(first) : undefined;
    if (element !== undefined) return ((list: unknown[]) => list.map(element)) as unknown as Cloner<T>;
  }
  return cloneValue;
}
