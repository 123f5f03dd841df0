/** The report as Markdown: the tables with their verdicts, then where the analysis was wrong. */
import type { MemoryResult } from './memory-table.js';
import type { PackageResult } from './package-table.js';
import {
  ANALYSIS_COLUMNS,
  MEMORY_PREDICTIONS,
  READ_TOLERANCE,
  SINGLE_VALUE_FACTOR,
  STARTUP_PREDICTIONS,
  STORAGE_PREDICTIONS,
  verdictGrade,
  verdictLowerIsBetter,
  formatFactor,
  type Grade,
  type Predicted,
  type Verdict,
} from './predictions.js';
import type { Services } from './services.js';
import type { StartupResult } from './startup-table.js';
import type { StorageResult } from './storage-table.js';

/** Everything one run measured. */
export interface ReportData {
  startedAt: string;
  finishedAt: string;
  seconds: number;
  size: string;
  machine: { cpuModel: string; cpus: number; memoryGiB: number; platform: string; node: string };
  loadavgStart: number[];
  loadavgEnd: number[];
  services: Services;
  storage?: StorageResult;
  memory?: MemoryResult;
  startup?: StartupResult;
  package?: PackageResult;
  /** Chart file names by table, relative to the report. */
  charts: Record<string, string>;
  /** Said under the heading: how this report came about when it is not one plain run. */
  note?: string;
}

/** A verdict that is not "confirmed", for the closing list. */
interface Finding {
  what: string;
  verdict: Verdict;
}

const ms = (v: number) => (!Number.isFinite(v) ? '–' : v < 1 ? v.toFixed(3) : v < 100 ? v.toFixed(2) : v.toFixed(0));
const rate = (v: number) => Math.round(v).toLocaleString('en-US');
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(' / ');

function chart(data: ReportData, table: string, alt: string): string[] {
  const file = data.charts[table];
  return file === undefined ? [] : [`![${alt}](${file})`, ''];
}

function skippedLine(skipped: string[]): string[] {
  return skipped.length === 0 ? [] : [`Skipped (their server did not answer): ${skipped.join(', ')}.`, ''];
}

function storageSection(data: ReportData, r: StorageResult, findings: Finding[]): string[] {
  const lines = [
    '## 1. Storage operations through the repositories',
    '',
    `${r.users.toLocaleString('en-US')} users with ${r.tokensPerUser} tokens each, seeded as \`authly db seed\` writes them. ` +
      'Latency per operation (bulk: per insert of the whole batch, its rate in rows/s); *÷ PostgreSQL* is the rate divided by PostgreSQL\'s for the same operation (above 1: faster). ' +
      `A predicted range is confirmed when the median falls inside it, a single predicted number when within ${SINGLE_VALUE_FACTOR}× either way; ` +
      'the concurrency rows grade the rate against PostgreSQL\'s (≥ 0.8× Excellent, ≥ 0.4× Good, else Poor), as the analysis grades PostgreSQL "Excellent". ' +
      'Reads cycle over a hot set of 1,000 users that the warm-up reads once, so the cached rows measure cache hits. ' +
      'The admin listing (the complex query) is never cached by Authly (every user write would have to invalidate every cached page), so its cached rows run it on the database: the analysis\'s "0.5ms (cached)" assumes a cache Authly does not have.',
    '',
    '| operation | backend | median ms | p99 ms | ops/s | ÷ PostgreSQL | analysis | verdict |',
    '|---|---|---:|---:|---:|---:|---|---|',
  ];
  for (const c of r.cells) {
    const predicted = STORAGE_PREDICTIONS[c.operation]?.[c.backend];
    let verdict: Verdict;
    if (typeof predicted === 'string') verdict = verdictGrade(c.ratioToPostgres, predicted as Grade, c.backend === 'postgresql');
    else verdict = verdictLowerIsBetter(c.median, predicted as Predicted | undefined);
    if (verdict.verdict === 'better' || verdict.verdict === 'worse') findings.push({ what: `${c.operation}, ${ANALYSIS_COLUMNS[c.backend]}`, verdict });
    const analysis = predicted === undefined ? '–' : typeof predicted === 'string' ? predicted : predicted.text;
    lines.push(`| ${c.operation} | ${c.backend} | ${ms(c.median)} | ${ms(c.p99)} | ${rate(c.opsPerSecond)} | ${c.ratioToPostgres === undefined ? '–' : `${c.ratioToPostgres.toFixed(2)}×`} | ${analysis} | ${verdict.text} |`);
  }
  lines.push('', ...skippedLine(r.skipped), ...chart(data, 'storage', 'Storage latency per operation and backend'));
  return lines;
}

function memorySection(data: ReportData, r: MemoryResult, findings: Finding[]): string[] {
  const lines = [
    '## 2. Server memory',
    '',
    'Resident set size of the server process (`authly serve`; for `memory`, the same application started by `bench/report/memory-child.ts`, which fills its in-process database through the repositories). ' +
      '*Idle*: 1.5 s after the first 200 from `/health`. *Warm*: after the admin logged in, listed up to 1,000 users and read single users by id over the admin API, 8 in flight. ' +
      'The analysis counts a PostgreSQL server\'s own memory in its PostgreSQL column; this table measures Authly\'s process only. ' +
      `The verdict compares the warm figure (MiB) with the analysis's (MB, read as MiB), confirmed within ${SINGLE_VALUE_FACTOR}× either way; 0 users is its "base memory".`,
    '',
    '| backend | users | idle MiB | warm MiB | failed requests | analysis | verdict |',
    '|---|---:|---:|---:|---:|---|---|',
  ];
  for (const row of r.rows) {
    const predicted = MEMORY_PREDICTIONS[row.backend]?.[row.users];
    const verdict = verdictLowerIsBetter(row.warmMiB, predicted, 'more', 'less');
    if (verdict.verdict === 'better' || verdict.verdict === 'worse') findings.push({ what: `memory at ${row.users.toLocaleString('en-US')} users, ${ANALYSIS_COLUMNS[row.backend]}`, verdict });
    lines.push(`| ${row.backend} | ${row.users.toLocaleString('en-US')} | ${row.idleMiB.toFixed(0)} | ${row.warmMiB.toFixed(0)} | ${row.failures ?? '–'} | ${predicted?.text ?? '–'} | ${verdict.text} |`);
  }
  lines.push('', ...skippedLine(r.skipped), ...chart(data, 'memory', 'Server memory per backend'));
  return lines;
}

function startupSection(data: ReportData, r: StartupResult, findings: Finding[]): string[] {
  const lines = [
    '## 3. Start-up',
    '',
    `Cold start: spawning \`node dist/cli/index.js serve\` to the first 200 from \`/health\` (polled every 2 ms), ${r.runs} runs per backend interleaved, on a database an unmeasured first start migrated (\`memory\` starts empty every time: migrations, admin and signing key are part of its every start). ` +
      `\`node -e 0\` takes ${ms(r.nodeFloor)} ms on this machine: no Node server starts faster. ` +
      'First query: `users.findByUsername` on freshly opened storage (connection, statement preparation and an empty cache included); *next* is the median of the five after it.',
    '',
    '| backend | cold start ms (min–max) | analysis | verdict | first query ms | next query ms | analysis | verdict |',
    '|---|---:|---|---|---:|---:|---|---|',
  ];
  for (const row of r.rows) {
    const predicted = STARTUP_PREDICTIONS[row.backend];
    const cold = verdictLowerIsBetter(row.coldStart, predicted?.coldStart);
    const first = verdictLowerIsBetter(row.firstQuery, predicted?.firstQuery);
    for (const [what, verdict] of [['cold start', cold], ['first query', first]] as const) {
      if (verdict.verdict === 'better' || verdict.verdict === 'worse') findings.push({ what: `${what}, ${ANALYSIS_COLUMNS[row.backend]}`, verdict });
    }
    lines.push(
      `| ${row.backend} | ${ms(row.coldStart)} (${ms(row.coldStartMin)}–${ms(row.coldStartMax)}) | ${predicted?.coldStart.text ?? '–'} | ${cold.text} | ${ms(row.firstQuery)} | ${ms(row.nextQuery)} | ${predicted?.firstQuery.text ?? '–'} | ${first.text} |`,
    );
  }
  lines.push('', 'The analysis\'s "warm start" column has no counterpart here: every measured start already finds the operating system\'s file cache warm.', '', ...skippedLine(r.skipped), ...chart(data, 'startup', 'Cold start and first query per backend'));
  return lines;
}

function packageSection(data: ReportData, r: PackageResult): string[] {
  const over = r.installBytes / 1e6 > r.targetMB;
  const overDisk = r.diskBytes / 1e6 > r.targetMB;
  const lines = [
    '## 4. Production install',
    '',
    '`npm pack`, then `npm install <tarball> --omit=dev --ignore-scripts` in an empty folder, with better-sqlite3\'s compiled addon copied in (its install script would download or compile it); ' +
      `\`authly --version\` ${r.runs ? 'ran' : '**did not run**'} from the result. MB are 10^6 bytes.`,
    '',
    '| what | measured | analysis target | verdict |',
    '|---|---:|---:|---|',
    `| tarball | ${mb(r.tarballBytes)} | – | – |`,
    `| node_modules, file sizes | ${mb(r.installBytes)} | < ${r.targetMB} MB | ${over ? `**missed** by ${formatFactor(r.installBytes / 1e6 / r.targetMB)}` : 'met'} |`,
    `| node_modules, disk blocks (\`du\`) | ${mb(r.diskBytes)} | < ${r.targetMB} MB | ${overDisk ? `**missed** by ${formatFactor(r.diskBytes / 1e6 / r.targetMB)}` : 'met'} |`,
    `| packages | ${r.packages} | – | – |`,
    '',
    'Heaviest packages: ' + r.heaviest.slice(0, 10).map((w) => `${w.name} ${mb(w.bytes)}`).join(', ') + '.',
    '',
    'Largest folders of the five heaviest (what could go from a deployment image): ' + r.parts.map((w) => `\`${w.name}\` ${mb(w.bytes)}`).join(', ') + '.',
    '',
    ...chart(data, 'package', 'Heaviest packages of the production install'),
  ];
  return lines;
}

function headline(data: ReportData): string[] {
  const lines = ['## Success metrics of the analysis', ''];
  const cells = data.storage?.cells ?? [];
  const read = (backend: string) => cells.find((c) => c.operation === 'single read' && c.backend === backend)?.ratioToPostgres;
  for (const backend of ['sqlite', 'sqlite + memory cache', 'memory']) {
    const ratio = read(backend);
    if (ratio === undefined) continue;
    lines.push(`- **Reads within ${READ_TOLERANCE * 100}% of PostgreSQL** (${backend}): single read at ${ratio.toFixed(2)}× PostgreSQL's rate: ${ratio >= 1 - READ_TOLERANCE ? 'met' : '**missed**'}.`);
  }
  if (cells.length > 0 && read('sqlite') === undefined) lines.push('- Reads within 20% of PostgreSQL: not measured (PostgreSQL did not answer).');
  if (data.package) {
    const p = data.package;
    lines.push(`- **Deployment package under ${p.targetMB} MB**: ${mb(p.installBytes)} of files (${p.installBytes / 1e6 <= p.targetMB ? 'met' : '**missed**'}), ${mb(p.diskBytes)} of disk blocks (${p.diskBytes / 1e6 <= p.targetMB ? 'met' : '**missed**'}), ${p.packages} packages.`);
  }
  if (data.startup) {
    const local = data.startup.rows.filter((r) => r.backend === 'sqlite' || r.backend === 'memory').map((r) => r.backend);
    if (local.length > 0) lines.push(`- **Zero external dependencies for basic operation**: met — ${local.join(' and ')} started and answered with no other process than Authly's (no database server, no Redis).`);
  }
  return [...lines, ''];
}

function findingsSection(findings: Finding[], data: ReportData): string[] {
  const lines = ['## Where the measurements contradict the analysis', ''];
  if (findings.length === 0) return [...lines, 'Nowhere: every predicted number measured was confirmed.', ''];
  const worse = findings.filter((f) => f.verdict.verdict === 'worse');
  const better = findings.filter((f) => f.verdict.verdict === 'better');
  lines.push(`${findings.length} predictions missed: ${better.length} by being better than predicted, ${worse.length} by being worse.`, '');
  if (worse.length > 0) lines.push('Worse than predicted:', '', ...worse.map((f) => `- ${f.what}: ${f.verdict.text}`), '');
  if (better.length > 0) lines.push('Better than predicted:', '', ...better.map((f) => `- ${f.what}: ${f.verdict.text}`), '');
  const p = data.package;
  if (p && (p.installBytes / 1e6 > p.targetMB || p.diskBytes / 1e6 > p.targetMB)) {
    lines.push(
      `The ${p.targetMB} MB package target is missed where marked above. What weighs most: ${p.parts.slice(0, 4).map((w) => `\`${w.name}\` (${mb(w.bytes)})`).join(', ')}. ` +
        'Folders that a running server never reads (sources, tests, documentation, SQLite\'s amalgamation once the addon is built) can be left out of a deployment image; the package itself is not changed by this report.',
      '',
    );
  }
  return lines;
}

/** The whole report. */
export function renderReport(data: ReadonlyReport): string {
  const findings: Finding[] = [];
  const m = data.machine;
  const loaded = Math.max(data.loadavgStart[0]!, data.loadavgEnd[0]!) > m.cpus * 0.7;
  const body = [
    ...(data.storage ? storageSection(data, data.storage, findings) : []),
    ...(data.memory ? memorySection(data, data.memory, findings) : []),
    ...(data.startup ? startupSection(data, data.startup, findings) : []),
    ...(data.package ? packageSection(data, data.package) : []),
  ];
  return [
    `# Benchmark report, ${data.startedAt.slice(0, 10)}`,
    '',
    `\`npm run bench -- report\` at size \`${data.size}\`, ${data.startedAt} to ${data.finishedAt}${data.seconds > 0 ? ` (${(data.seconds / 60).toFixed(1)} minutes)` : ''}. Method: [bench/README.md](../README.md).`,
    '',
    `Machine: ${m.cpuModel}, ${m.cpus} cores, ${m.memoryGiB.toFixed(1)} GiB, ${m.platform}, Node ${m.node}. ` +
      `Load average (1/5/15 min) ${load(data.loadavgStart)} at the start and ${load(data.loadavgEnd)} at the end` +
      (loaded
        ? `: **the machine was busy** (a 1-minute load average above 70 % of its ${m.cpus} cores at the start or the end; the figure at the end counts the run's own processes too), so absolute latencies may be inflated and noisy; the ratios between rows measured side by side are what this report stands on.`
        : '.'),
    '',
    ...(data.note === undefined ? [] : [data.note, '']),
    ...headline(data),
    ...body,
    ...findingsSection(findings, data),
  ].join('\n');
}

type ReadonlyReport = Readonly<ReportData>;
