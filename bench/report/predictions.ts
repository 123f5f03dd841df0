/**
 * The numbers the design analysis predicted (its "Performance Comparison" tables and success
 * metrics), keyed the way the report's rows are, and the rule that turns a measurement into a
 * verdict against them.
 */

/** A predicted latency or size: a range `[low, high]`, or one number (`low === high`). */
export interface Predicted {
  low: number;
  high: number;
  /** As the analysis wrote it. */
  text: string;
}

/** A qualitative prediction (the analysis's concurrency rows). */
export type Grade = 'Poor' | 'Good' | 'Excellent';

/** The analysis's four columns, as the report's backend names. */
export const ANALYSIS_COLUMNS: Record<string, string> = {
  postgresql: 'PostgreSQL',
  sqlite: 'SQLite (File)',
  memory: 'SQLite (Memory)',
  'sqlite + memory cache': 'Hybrid (SQLite+Cache)',
};

function p(low: number, high = low, unit = 'ms', note = ''): Predicted {
  return { low, high, text: `${low === high ? low : `${low}-${high}`}${unit}${note}` };
}

/** Storage operations, in milliseconds per operation (bulk: per 1,000 rows). */
export const STORAGE_PREDICTIONS: Record<string, Record<string, Predicted | Grade>> = {
  'single read': { postgresql: p(1, 2), sqlite: p(0.5, 1), memory: p(0.1), 'sqlite + memory cache': p(0.05, 0.05, 'ms', ' (cached)') },
  'complex query': { postgresql: p(5, 10), sqlite: p(3, 5), memory: p(1, 2), 'sqlite + memory cache': p(0.5, 0.5, 'ms', ' (cached)') },
  'single write': { postgresql: p(2, 5), sqlite: p(5, 10), memory: p(0.1), 'sqlite + memory cache': p(5, 10, 'ms', ' (write-through)') },
  'bulk insert 1,000 users': { postgresql: p(50), sqlite: p(500), memory: p(5), 'sqlite + memory cache': p(500) },
  '50 concurrent reads': { postgresql: 'Excellent', sqlite: 'Good', memory: 'Excellent', 'sqlite + memory cache': 'Excellent' },
  '50 concurrent writes': { postgresql: 'Excellent', sqlite: 'Poor', memory: 'Good', 'sqlite + memory cache': 'Poor' },
};

const MB = (n: number) => p(n, n, n >= 1024 ? '' : 'MB');
/** Resident memory in MiB by user count (0 is the analysis's "Base Memory"). */
export const MEMORY_PREDICTIONS: Record<string, Record<number, Predicted>> = {
  postgresql: { 0: MB(100), 10_000: MB(150), 100_000: MB(200), 1_000_000: MB(300) },
  sqlite: { 0: MB(20), 10_000: MB(30), 100_000: MB(50), 1_000_000: MB(100) },
  memory: { 0: MB(20), 10_000: MB(100), 100_000: MB(800), 1_000_000: { low: 8192, high: 8192, text: '8GB' } },
  'sqlite + memory cache': { 0: MB(30), 10_000: MB(50), 100_000: MB(200), 1_000_000: { low: 1024, high: 1024, text: '1GB' } },
};

/** Cold start and first query, in milliseconds. */
export const STARTUP_PREDICTIONS: Record<string, { coldStart: Predicted; firstQuery: Predicted }> = {
  postgresql: { coldStart: p(2000, 3000, 'ms', ' (2-3s)'), firstQuery: p(5) },
  sqlite: { coldStart: p(10), firstQuery: p(1) },
  memory: { coldStart: p(5), firstQuery: p(0.1) },
  'sqlite + memory cache': { coldStart: p(10), firstQuery: p(0.1) },
};

/** The analysis's success metric for the deployment package, in MB. */
export const PACKAGE_TARGET_MB = 50;
/** The analysis's success metric for reads: within 20 % of PostgreSQL. */
export const READ_TOLERANCE = 0.2;

/**
 * A single predicted number counts as confirmed within this factor either way; a range counts
 * as confirmed when the measurement falls inside it.
 */
export const SINGLE_VALUE_FACTOR = 1.5;

/** How a measurement compares with its prediction. */
export interface Verdict {
  verdict: 'confirmed' | 'better' | 'worse' | 'reference' | 'not predicted';
  /** How many times better or worse (≥ 1); absent when confirmed. */
  factor?: number;
  /** What the report prints, e.g. `worse: 3.2× slower`. */
  text: string;
}

/**
 * Verdict for a quantity where less is better (latency, megabytes): `better` when below the
 * prediction, `worse` when above, by the factor to the nearest end of the predicted range.
 */
export function verdictLowerIsBetter(measured: number, predicted: Predicted | undefined, worseWord = 'slower', betterWord = 'faster'): Verdict {
  if (predicted === undefined || !Number.isFinite(measured)) return { verdict: 'not predicted', text: '–' };
  const single = predicted.low === predicted.high;
  const low = single ? predicted.low / SINGLE_VALUE_FACTOR : predicted.low;
  const high = single ? predicted.high * SINGLE_VALUE_FACTOR : predicted.high;
  if (measured >= low && measured <= high) return { verdict: 'confirmed', text: 'confirmed' };
  if (measured < low) {
    const factor = predicted.low / measured;
    return { verdict: 'better', factor, text: `better: ${formatFactor(factor)} ${betterWord}` };
  }
  const factor = measured / predicted.high;
  return { verdict: 'worse', factor, text: `worse: ${formatFactor(factor)} ${worseWord}` };
}

/**
 * The grade a backend earns in a concurrency row: its rate under 50 in flight as a share of
 * PostgreSQL's (the analysis rates PostgreSQL "Excellent"): ≥ 0.8 Excellent, ≥ 0.4 Good, else Poor.
 */
export function gradeOf(ratioToPostgres: number): Grade {
  if (ratioToPostgres >= 0.8) return 'Excellent';
  return ratioToPostgres >= 0.4 ? 'Good' : 'Poor';
}

const GRADE_RANK: Record<Grade, number> = { Poor: 0, Good: 1, Excellent: 2 };

/** Verdict for a qualitative prediction, from the measured rate as a ratio to PostgreSQL's. */
export function verdictGrade(ratioToPostgres: number | undefined, predicted: Grade | undefined, isReference: boolean): Verdict {
  if (predicted === undefined) return { verdict: 'not predicted', text: '–' };
  if (isReference) return { verdict: 'reference', text: 'reference (grades are relative to it)' };
  if (ratioToPostgres === undefined || !Number.isFinite(ratioToPostgres)) return { verdict: 'not predicted', text: 'no PostgreSQL to grade against' };
  const measured = gradeOf(ratioToPostgres);
  const diff = GRADE_RANK[measured] - GRADE_RANK[predicted];
  if (diff === 0) return { verdict: 'confirmed', text: `confirmed (${measured})` };
  return diff > 0
    ? { verdict: 'better', factor: ratioToPostgres, text: `better: ${measured}, ${formatFactor(ratioToPostgres)} PostgreSQL's rate` }
    : { verdict: 'worse', factor: ratioToPostgres, text: `worse: ${measured}, ${formatFactor(ratioToPostgres)} PostgreSQL's rate` };
}

/** `12×`, `3.4×`, `1.25×`. */
export function formatFactor(factor: number): string {
  if (!Number.isFinite(factor)) return '–';
  if (factor >= 10) return `${Math.round(factor)}×`;
  return factor >= 2 ? `${factor.toFixed(1)}×` : `${factor.toFixed(2)}×`;
}
