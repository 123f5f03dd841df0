import cliProgress from 'cli-progress';
import type { ProgressEvent, ProgressListener } from '../storage/transfer/index.js';

/** Draws or prints a transfer's progress; `stop()` before printing the result. */
export interface ProgressView {
  listener: ProgressListener;
  stop(): void;
}

/** The clock the rates are measured with; injected so tests can fix it. */
export type Now = () => number;

const PLAIN_INTERVAL_MS = 2000;

function rate(rows: number, startedMs: number, nowMs: number): number {
  const seconds = (nowMs - startedMs) / 1000;
  return seconds > 0 ? Math.round(rows / seconds) : 0;
}

function eta(event: ProgressEvent, perSecond: number): string {
  if (event.total === undefined || perSecond === 0) return '?';
  const seconds = Math.max(0, Math.round((event.total - event.done) / perSecond));
  return seconds >= 60 ? `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s` : `${seconds}s`;
}

const number = (value: number) => value.toLocaleString('en-US');

/**
 * Plain log lines for a log file or a pipe: a table's first batch, then at most one line every
 * two seconds, then its total. Each line stands alone: `users: 4,000/20,000 rows, 3,900 rows/s, ETA 4s`.
 */
export function plainProgress(write: (line: string) => void, now: Now = () => performance.now()): ProgressView {
  const started = new Map<string, number>();
  const printed = new Set<string>();
  let lastLine = 0;
  return {
    listener(event) {
      const t = now();
      if (event.phase === 'start') {
        started.set(event.table, t);
        return;
      }
      const perSecond = rate(event.done, started.get(event.table) ?? t, t);
      if (event.phase === 'done') {
        const seconds = ((t - (started.get(event.table) ?? t)) / 1000).toFixed(1);
        write(`${event.table}: ${number(event.done)} rows in ${seconds}s (${number(perSecond)} rows/s)`);
        return;
      }
      const first = !printed.has(event.table);
      if (!first && t - lastLine < PLAIN_INTERVAL_MS) return;
      printed.add(event.table);
      lastLine = t;
      const total = event.total === undefined ? '' : `/${number(event.total)}`;
      write(`${event.table}: ${number(event.done)}${total} rows, ${number(perSecond)} rows/s, ETA ${eta(event, perSecond)}`);
    },
    stop() {},
  };
}

/** One bar per table on a terminal: rows done, rows/s and the time left. */
export function barProgress(stream: NodeJS.WriteStream, now: Now = () => performance.now()): ProgressView {
  const bars = new cliProgress.MultiBar(
    {
      stream,
      format: '{table} [{bar}] {value}/{total} rows | {rate} rows/s | ETA {eta_text}',
      hideCursor: true,
      clearOnComplete: false,
    },
    cliProgress.Presets.shades_classic,
  );
  const open = new Map<string, { bar: cliProgress.SingleBar; started: number }>();
  const width = 28;
  return {
    listener(event) {
      const t = now();
      if (event.phase === 'start') {
        open.set(event.table, { bar: bars.create(event.total ?? 0, 0, { table: event.table.padEnd(width), rate: '0', eta_text: '?' }), started: t });
        return;
      }
      const entry = open.get(event.table);
      if (entry === undefined) return;
      const perSecond = rate(event.done, entry.started, t);
      entry.bar.update(event.done, { table: event.table.padEnd(width), rate: number(perSecond), eta_text: event.phase === 'done' ? '0s' : eta(event, perSecond) });
      if (event.phase === 'done') {
        if (event.total !== event.done) entry.bar.setTotal(event.done);
        entry.bar.stop();
      }
    },
    stop() {
      bars.stop();
    },
  };
}

/** Bars on a terminal, plain lines otherwise; both on stderr, so stdout carries the report. */
export function progressFor(stream: NodeJS.WriteStream = process.stderr): ProgressView {
  return stream.isTTY === true ? barProgress(stream) : plainProgress((line) => stream.write(`${line}\n`));
}
