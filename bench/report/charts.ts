/**
 * One SVG chart per table, drawn by Vega-Lite specs rendered headless by Vega (its SVG renderer
 * needs no canvas and no browser). Log scales where backends differ by orders of magnitude.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { MemoryRow } from './memory-table.js';
import type { PackageResult } from './package-table.js';
import type { StartupRow } from './startup-table.js';
import type { StorageCell } from './storage-table.js';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const FONT = { config: { font: 'sans-serif', view: { stroke: null }, axis: { labelLimit: 240 }, header: { labelLimit: 240 } } };

/** Renders a Vega-Lite spec to an SVG document. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

/** Median latency per backend, one panel per operation (log scale). */
export function storageChart(cells: StorageCell[]): TopLevelSpec {
  return {
    $schema: SCHEMA,
    title: 'Storage: median latency per operation (ms, log scale; shorter is faster)',
    data: { values: cells.map((c) => ({ operation: c.operation, backend: c.backend, median: Math.max(c.median, 0.001) })) },
    facet: { row: { field: 'operation', type: 'nominal', title: null, sort: null } },
    spec: {
      width: 420,
      height: { step: 14 },
      mark: 'bar',
      encoding: {
        y: { field: 'backend', type: 'nominal', title: null, sort: null },
        x: { field: 'median', type: 'quantitative', scale: { type: 'log' }, title: 'median ms' },
        color: { field: 'backend', type: 'nominal', legend: null, sort: null },
      },
    },
    resolve: { scale: { x: 'independent' } },
    ...FONT,
  } as TopLevelSpec;
}

/** Resident memory per backend, idle and warm, one panel per user count. */
export function memoryChart(rows: MemoryRow[]): TopLevelSpec {
  const values = rows.flatMap((r) => [
    { backend: r.backend, users: r.users.toLocaleString('en-US'), state: 'idle', MiB: r.idleMiB },
    { backend: r.backend, users: r.users.toLocaleString('en-US'), state: 'after warm reads', MiB: r.warmMiB },
  ]);
  return {
    $schema: SCHEMA,
    title: 'Server resident memory (MiB) by users in the database',
    data: { values },
    facet: { column: { field: 'users', type: 'ordinal', title: 'users', sort: null } },
    spec: {
      width: { step: 18 },
      height: 220,
      mark: 'bar',
      encoding: {
        x: { field: 'backend', type: 'nominal', title: null, sort: null },
        xOffset: { field: 'state', type: 'nominal', sort: null },
        y: { field: 'MiB', type: 'quantitative', title: 'RSS MiB' },
        color: { field: 'state', type: 'nominal', sort: null, title: null },
      },
    },
    ...FONT,
  } as TopLevelSpec;
}

/** Cold start and first query per backend (log scales). */
export function startupChart(rows: StartupRow[]): TopLevelSpec {
  const values = rows.map((r) => ({ backend: r.backend, 'cold start ms': r.coldStart, 'first query ms': Math.max(r.firstQuery, 0.001) }));
  const panel = (field: string) => ({
    width: 300,
    height: { step: 16 },
    mark: 'bar',
    encoding: {
      y: { field: 'backend', type: 'nominal', title: null, sort: null },
      x: { field, type: 'quantitative', scale: { type: 'log' } },
      color: { field: 'backend', type: 'nominal', legend: null, sort: null },
    },
  });
  return { $schema: SCHEMA, title: 'Start-up per backend (log scales)', data: { values }, hconcat: [panel('cold start ms'), panel('first query ms')], ...FONT } as TopLevelSpec;
}

/** The heaviest packages of the production install, in MB. */
export function packageChart(result: PackageResult): TopLevelSpec {
  const values = result.heaviest.slice(0, 15).map((w) => ({ package: w.name, MB: w.bytes / 1e6 }));
  return {
    $schema: SCHEMA,
    title: `Production install: ${(result.installBytes / 1e6).toFixed(1)} MB in ${result.packages} packages (target ${result.targetMB} MB); heaviest 15`,
    data: { values },
    width: 420,
    height: { step: 16 },
    mark: 'bar',
    encoding: {
      y: { field: 'package', type: 'nominal', title: null, sort: '-x' },
      x: { field: 'MB', type: 'quantitative', title: 'MB (10^6 bytes)' },
    },
    ...FONT,
  } as TopLevelSpec;
}
