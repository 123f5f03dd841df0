import { setImmediate as nextTurn } from 'node:timers/promises';

/** How far a transfer is, reported per batch so a terminal can draw bars or print lines. */
export interface ProgressEvent {
  /** `start` before a table's first row, `rows` after each batch, `done` after its last. */
  phase: 'start' | 'rows' | 'done';
  table: string;
  /** Rows handled so far in this table. */
  done: number;
  /** Rows the table holds at the source, when known. */
  total: number | undefined;
}

/** Receives progress events; must not throw. */
export type ProgressListener = (event: ProgressEvent) => void;

/** Per-table outcome of a transfer. */
export interface TableCount {
  table: string;
  /** Rows read from the source (or the dump). */
  rows: number;
  /** Rows written to the target. */
  inserted: number;
  /** Rows whose primary key the target already had (`--merge`). */
  skipped: number;
}

/**
 * Lets the event loop run between batches. SQLite calls are synchronous, so a SQLite-to-SQLite
 * transfer would otherwise never give way: Ctrl-C and SIGTERM handlers and progress-bar redraws
 * would all wait for the end.
 */
export function yieldToEventLoop(): Promise<void> {
  return nextTurn();
}
