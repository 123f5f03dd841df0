import type { CliOutput } from '../../output.js';

/** `--output table|json` (Authly's CLI option). */
export type OutputFormat = 'table' | 'json';

/** A column of a table: its header and how to read a row's cell. */
export interface Column<T> {
  header: string;
  value: (row: T) => unknown;
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return '-';
  if (Array.isArray(value)) return value.length === 0 ? '-' : value.map(cell).join(', ');
  if (typeof value === 'object') return JSON.stringify(value);
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  return String(value);
}

/** Aligned columns with a header line; an empty list prints `(none)`. */
export function renderTable<T>(rows: readonly T[], columns: readonly Column<T>[]): string[] {
  if (rows.length === 0) return ['(none)'];
  const cells = rows.map((row) => columns.map((c) => cell(c.value(row))));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((r) => r[i]!.length)));
  const line = (values: string[]) => values.map((v, i) => (i === values.length - 1 ? v : v.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(columns.map((c) => c.header)), ...cells.map(line)];
}

/** `key: value` lines for one object, keys aligned. */
export function renderRecord(record: Record<string, unknown>): string[] {
  const width = Math.max(...Object.keys(record).map((k) => k.length));
  return Object.entries(record).map(([key, value]) => `${`${key}:`.padEnd(width + 1)} ${cell(value)}`);
}

/** Prints `data` as JSON, or as the table/record `table` renders. */
export function print(output: CliOutput, format: OutputFormat, data: unknown, table: () => string[]): void {
  if (format === 'json') output.out(JSON.stringify(data, null, 2));
  else for (const line of table()) output.out(line);
}
