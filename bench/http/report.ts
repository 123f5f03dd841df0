/**
 * Turns the rounds of `bench http` into rows (medians, failures, ratios), a Markdown table with
 * its footnotes, and the JSON written under `bench/results/`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LoadResult } from './load.js';

/** One measured cell of one round. */
export interface Measurement {
  perSecond: number;
  p50?: number;
  p99?: number;
  /** Completed units (requests, flows, verifications). */
  units: number;
  failures: number;
  samples?: string[];
  /** CPU time of the server's process (all its threads) per completed unit, in µs; absent for the argon2id ceiling. */
  cpuPerUnit?: number;
}

/** A row of the table: one workload on one server, all its rounds. */
export interface Row {
  workload: string;
  /** The server's short name, as `--servers` takes it. */
  server: string;
  /** The server as the table names it. */
  label: string;
  /** What the server issues and where it keeps it. */
  tokens: string;
  /** `req/s`, `flows/s`, `verify/s`. */
  unit: string;
  /** The row this one is divided by for "÷ ceiling"; `undefined` for the ceilings themselves. */
  ceiling?: string;
  /** The row this one is divided by for "÷ peer"; `undefined` when the peer has no equivalent. */
  peer?: string;
  note?: string;
  rounds: Measurement[];
}

/** A row with its medians and ratios. */
export interface Summary extends Row {
  key: string;
  perSecond: number;
  p50?: number;
  p99?: number;
  /** Median over rounds of the server's CPU µs per unit. */
  cpuPerUnit?: number;
  failures: number;
  failureRate: number;
  valid: boolean;
  ceilingRatio?: number;
  peerRatio?: number;
  p99PeerRatio?: number;
}

/** A row is invalid when more than this share of its attempts failed. */
export const MAX_FAILURE_RATE = 0.01;

/** The key a row is referred to by (`ceiling`, `peer`). */
export function rowKey(row: { workload: string; server: string }): string {
  return `${row.workload}/${row.server}`;
}

/** Median of the finite values; `undefined` when there are none. */
export function median(values: number[]): number | undefined {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return undefined;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** A load result as a measurement (keeping a few failing answers for the JSON). */
export function fromLoad(result: LoadResult): Measurement {
  return { perSecond: result.perSecond, p50: result.p50, p99: result.p99, units: result.units, failures: result.failures, samples: result.samples };
}

/** Medians over rounds, total failures, validity, then the ratios between rows. */
export function summarise(rows: Row[]): Summary[] {
  const summaries = rows.map((row): Summary => {
    const failures = row.rounds.reduce((sum, r) => sum + r.failures, 0);
    const attempts = row.rounds.reduce((sum, r) => sum + r.units + r.failures, 0);
    const failureRate = failures === 0 ? 0 : failures / attempts;
    return {
      ...row,
      key: rowKey(row),
      perSecond: median(row.rounds.map((r) => r.perSecond)) ?? 0,
      p50: median(row.rounds.map((r) => r.p50 ?? Number.NaN)),
      p99: median(row.rounds.map((r) => r.p99 ?? Number.NaN)),
      cpuPerUnit: median(row.rounds.map((r) => r.cpuPerUnit ?? Number.NaN)),
      failures,
      failureRate,
      // A row where nothing completed (a run shorter than one unit's latency) says nothing either.
      valid: attempts - failures > 0 && failureRate <= MAX_FAILURE_RATE,
    };
  });
  const byKey = new Map(summaries.map((s) => [s.key, s]));
  for (const summary of summaries) {
    const ceiling = summary.ceiling ? byKey.get(summary.ceiling) : undefined;
    if (ceiling && ceiling.perSecond > 0) summary.ceilingRatio = summary.perSecond / ceiling.perSecond;
    const peer = summary.peer ? byKey.get(summary.peer) : undefined;
    if (peer && peer.perSecond > 0) summary.peerRatio = summary.perSecond / peer.perSecond;
    if (peer?.p99 && summary.p99 !== undefined) summary.p99PeerRatio = summary.p99 / peer.p99;
  }
  return summaries;
}

function fixed(value: number | undefined, digits: number, suffix = ''): string {
  return value === undefined || !Number.isFinite(value) ? '–' : `${value.toFixed(digits)}${suffix}`;
}

function rate(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

function ms(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '–';
  return value < 10 ? value.toFixed(2) : value.toFixed(1);
}

/** The Markdown table, one line per row, then the footnotes. */
export function markdownTable(summaries: Summary[], footnotes: string[]): string {
  const lines = [
    '| workload | server | tokens | rate | p50 ms | p99 ms | CPU µs/unit | failed | ÷ ceiling | ÷ peer | p99 ÷ peer |',
    '|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const s of summaries) {
    const failed = `${s.failures}${s.failures > 0 ? ` (${(s.failureRate * 100).toFixed(1)}%)` : ''}${s.valid ? '' : ' **INVALID**'}`;
    const ceiling = s.ceilingRatio === undefined ? (s.ceiling ? '–' : 'ceiling') : fixed(s.ceilingRatio, 2, '×');
    const peer = s.peerRatio === undefined ? (s.note ?? '–') : fixed(s.peerRatio, 2, '×');
    lines.push(
      `| ${s.workload} | ${s.label} | ${s.tokens} | ${rate(s.perSecond)} ${s.unit} | ${ms(s.p50)} | ${ms(s.p99)} | ${fixed(s.cpuPerUnit, 0)} | ${failed} | ${ceiling} | ${peer} | ${fixed(s.p99PeerRatio, 2, '×')} |`,
    );
  }
  return [...lines, '', ...footnotes.map((note, i) => `${i + 1}. ${note}`)].join('\n');
}

/** Warns when the machine is already busy before a run, and returns the load average to record. */
export function loadBeforeRun(): number[] {
  const load = os.loadavg();
  if (load[0]! > os.cpus().length) {
    console.error(`bench: load average ${load[0]!.toFixed(1)} on ${os.cpus().length} cores before the run: absolute numbers will be noisy, ratios less so`);
  }
  return load;
}

/** Writes the run as JSON under `bench/results/` and returns the file's path. */
export function writeResults(dir: string, name: string, data: Record<string, unknown>): string {
  fs.mkdirSync(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const file = path.join(dir, `${name}-${stamp}.json`);
  const machine = { node: process.version, platform: `${os.platform()} ${os.release()}`, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, loadavg: os.loadavg() };
  fs.writeFileSync(file, `${JSON.stringify({ bench: name, finishedAt: new Date().toISOString(), machine, ...data }, null, 2)}\n`);
  return file;
}
