/**
 * `npm run bench -- report [storage|memory|startup|package ...] [--size tiny|default|full] [--out DIR]`:
 * the design analysis's tables measured on every backend. Writes `<date>.md` (the tables, their
 * verdicts against the analysis, and where it was wrong), `<date>.json` (every number) and one
 * SVG chart per table under `bench/results/`, and prints the Markdown. Naming tables runs only
 * those (the files are then `<date>-<tables>.*`). `--rerender FILE.json` writes a past run's
 * Markdown and charts again from its data. See bench/README.md for the method.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureBuilt, ROOT } from './http/servers.js';
import { stringOption } from './options.js';
import { memoryChart, packageChart, renderSvg, startupChart, storageChart } from './report/charts.js';
import { renderReport, type ReportData } from './report/markdown.js';
import { runMemoryTable } from './report/memory-table.js';
import { runPackageTable } from './report/package-table.js';
import { probeServices, type Services } from './report/services.js';
import { sizeNamed, type Size } from './report/sizes.js';
import { runStartupTable } from './report/startup-table.js';
import { runStorageTable } from './report/storage-table.js';

/** The tables, in report order. */
export const TABLES = ['storage', 'memory', 'startup', 'package'] as const;
export type TableName = (typeof TABLES)[number];

/** Where a run's files went. */
export interface ReportFiles {
  markdown: string;
  json: string;
  charts: string[];
  data: ReportData;
  text: string;
}

/** Runs `tables` at `size` and writes the report into `outDir`. */
export async function writeReport(
  tables: readonly TableName[],
  size: Size,
  outDir: string,
  options: { log?: (line: string) => void; services?: Services } = {},
): Promise<ReportFiles> {
  const log = options.log ?? ((line: string) => console.error(line));
  const started = new Date();
  const loadavgStart = os.loadavg();
  if (tables.some((t) => t !== 'storage')) ensureBuilt();
  const services = options.services ?? (await probeServices());
  const data: ReportData = {
    startedAt: started.toISOString(),
    finishedAt: '',
    seconds: 0,
    size: size.name,
    machine: { cpuModel: os.cpus()[0]?.model ?? 'unknown', cpus: os.cpus().length, memoryGiB: os.totalmem() / 2 ** 30, platform: `${os.platform()} ${os.release()} ${os.arch()}`, node: process.version },
    loadavgStart,
    loadavgEnd: [],
    services,
    charts: {},
  };
  if (tables.includes('storage')) data.storage = await runStorageTable(size, services, log);
  if (tables.includes('memory')) data.memory = await runMemoryTable(size, services, log);
  if (tables.includes('startup')) data.startup = await runStartupTable(size, services, log);
  if (tables.includes('package')) data.package = await runPackageTable(log);
  data.loadavgEnd = os.loadavg();
  data.finishedAt = new Date().toISOString();
  data.seconds = (Date.now() - started.getTime()) / 1000;

  const base = `${data.startedAt.slice(0, 10)}${tables.length === TABLES.length ? '' : `-${tables.join('-')}`}`;
  return publish(data, outDir, base);
}

/** Writes the charts, the Markdown and the JSON of `data` as `<base>.*` into `outDir`. */
export async function publish(data: ReportData, outDir: string, base: string): Promise<ReportFiles> {
  fs.mkdirSync(outDir, { recursive: true });
  const specs = {
    storage: data.storage && storageChart(data.storage.cells),
    memory: data.memory && memoryChart(data.memory.rows),
    startup: data.startup && startupChart(data.startup.rows),
    package: data.package && packageChart(data.package),
  };
  const charts: string[] = [];
  data.charts = {};
  for (const [table, spec] of Object.entries(specs)) {
    if (spec === undefined) continue;
    const file = `${base}-${table}.svg`;
    fs.writeFileSync(path.join(outDir, file), await renderSvg(spec));
    data.charts[table] = file;
    charts.push(path.join(outDir, file));
  }
  const text = renderReport(data);
  const markdown = path.join(outDir, `${base}.md`);
  const json = path.join(outDir, `${base}.json`);
  fs.writeFileSync(markdown, `${text}\n`);
  fs.writeFileSync(json, `${JSON.stringify(data, null, 2)}\n`);
  return { markdown, json, charts, data, text };
}

/** The table names among `args` (the words that are neither an option nor its value); all when none. */
export function tablesFrom(args: string[]): TableName[] {
  const named: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i]!.startsWith('--')) {
      i++;
      continue;
    }
    named.push(args[i]!);
  }
  for (const name of named) if (!(TABLES as readonly string[]).includes(name)) throw new Error(`unknown table ${name}: choose from ${TABLES.join(', ')}`);
  return named.length === 0 ? [...TABLES] : TABLES.filter((t) => named.includes(t));
}

/** `--runs N` overrides the size's starts per backend of the start-up table. */
function withRuns(size: Size, runs: string | undefined): Size {
  const n = Number(runs);
  return runs !== undefined && Number.isInteger(n) && n > 0 ? { ...size, startupRuns: n } : size;
}

/** `npm run bench -- report ...`; `--rerender FILE.json` writes a past run's Markdown and charts again, measuring nothing. */
export async function run(args: string[]): Promise<void> {
  const rerender = stringOption(args, 'rerender');
  const files = rerender
    ? await publish(JSON.parse(fs.readFileSync(rerender, 'utf8')) as ReportData, path.dirname(path.resolve(rerender)), path.basename(rerender, '.json'))
    : await writeReport(tablesFrom(args), withRuns(sizeNamed(stringOption(args, 'size')), stringOption(args, 'runs')), path.resolve(stringOption(args, 'out') ?? path.join(ROOT, 'bench', 'results')));
  console.log(files.text);
  console.log(`\nreport: ${path.relative(process.cwd(), files.markdown)} (data ${path.relative(process.cwd(), files.json)}, ${files.charts.length} charts)`);
}
