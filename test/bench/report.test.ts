/**
 * `npm run bench -- report` at `--size tiny`: every table runs end to end and writes its
 * Markdown, JSON and SVG, so the bench keeps working. Numbers are not checked (no timed
 * assertions: speed lives in the report itself). PostgreSQL and Redis rows are skipped, with the
 * usual notice, when those servers do not answer.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tablesFrom, writeReport, type TableName } from '../../bench/report.js';
import { gradeOf, verdictGrade, verdictLowerIsBetter } from '../../bench/report/predictions.js';
import { sizeNamed } from '../../bench/report/sizes.js';
import { hasPostgres, hasRedis } from '../helpers/services.js';

const out = fs.mkdtempSync(path.join(os.tmpdir(), 'authly-report-test-'));
afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

async function runTable(table: TableName) {
  const files = await writeReport([table], sizeNamed('tiny'), out, { log: () => undefined, services: { postgres: hasPostgres, redis: hasRedis } });
  expect(fs.readFileSync(files.markdown, 'utf8')).toContain('# Benchmark report');
  expect(files.text).toMatch(/Load average .* at the start and .* at the end/);
  const data = JSON.parse(fs.readFileSync(files.json, 'utf8')) as Record<string, unknown>;
  expect(data[table]).toBeDefined();
  expect(files.charts).toHaveLength(1);
  expect(fs.readFileSync(files.charts[0]!, 'utf8')).toMatch(/^<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  expect(files.text).toContain(`](${path.basename(files.charts[0]!)})`);
  return files;
}

describe('bench report at --size tiny', () => {
  it('storage: every operation on every configuration whose server answers, PostgreSQL first', async () => {
    const { data, text } = await runTable('storage');
    const backends = new Set(data.storage!.cells.map((c) => c.backend));
    expect(backends).toContain('sqlite');
    expect(backends).toContain('memory');
    expect(backends.has('postgresql')).toBe(hasPostgres);
    expect(backends.has('sqlite + tiered cache')).toBe(hasRedis);
    expect(data.storage!.cells.every((c) => c.samples > 0 && c.opsPerSecond > 0)).toBe(true);
    expect(text).toContain('| operation | backend | median ms | p99 ms | ops/s | ÷ PostgreSQL | analysis | verdict |');
  });

  it('memory: the server process measured idle and after the warm reads, with no failed request', async () => {
    const { data } = await runTable('memory');
    expect(data.memory!.rows.map((r) => r.backend).sort()).toEqual(['memory', 'sqlite']);
    for (const row of data.memory!.rows) {
      expect(row.idleMiB).toBeGreaterThan(0);
      expect(row.warmMiB).toBeGreaterThan(0);
      expect(row.failures).toBe(0);
    }
  });

  it('startup: cold start and first query per backend', async () => {
    const { data } = await runTable('startup');
    expect(data.startup!.rows.map((r) => r.backend)).toEqual(['sqlite', 'memory']);
    expect(data.startup!.rows.every((r) => r.coldStart > 0 && r.firstQuery > 0)).toBe(true);
  });

  it('package: the tarball installs with --omit=dev and runs', async () => {
    const { data, text } = await runTable('package');
    expect(data.package!.runs).toBe(true);
    expect(data.package!.packages).toBeGreaterThan(10);
    expect(data.package!.heaviest[0]!.bytes).toBeGreaterThan(0);
    expect(text).toContain('Deployment package under 50 MB');
  });
});

describe('verdicts against the analysis', () => {
  const range = { low: 1, high: 2, text: '1-2ms' };
  const single = { low: 10, high: 10, text: '10ms' };

  it('a range is confirmed inside it, better below, worse above, by the factor to its nearest end', () => {
    expect(verdictLowerIsBetter(1.5, range).verdict).toBe('confirmed');
    expect(verdictLowerIsBetter(0.25, range)).toMatchObject({ verdict: 'better', factor: 4 });
    expect(verdictLowerIsBetter(6, range)).toMatchObject({ verdict: 'worse', factor: 3 });
  });

  it('a single number is confirmed within 1.5× either way', () => {
    expect(verdictLowerIsBetter(14, single).verdict).toBe('confirmed');
    expect(verdictLowerIsBetter(7, single).verdict).toBe('confirmed');
    expect(verdictLowerIsBetter(16, single).verdict).toBe('worse');
    expect(verdictLowerIsBetter(5, single).verdict).toBe('better');
    expect(verdictLowerIsBetter(5, undefined).verdict).toBe('not predicted');
  });

  it('concurrency grades are relative to PostgreSQL', () => {
    expect(gradeOf(0.9)).toBe('Excellent');
    expect(gradeOf(0.5)).toBe('Good');
    expect(gradeOf(0.1)).toBe('Poor');
    expect(verdictGrade(2, 'Poor', false).verdict).toBe('better');
    expect(verdictGrade(0.1, 'Excellent', false).verdict).toBe('worse');
    expect(verdictGrade(1, 'Excellent', true).verdict).toBe('reference');
  });

  it('table names come from the words that are not options', () => {
    expect(tablesFrom([])).toEqual(['storage', 'memory', 'startup', 'package']);
    expect(tablesFrom(['package', '--size', 'tiny', 'storage'])).toEqual(['storage', 'package']);
    expect(() => tablesFrom(['nope'])).toThrow(/unknown table/);
  });
});
