/**
 * Table 3: cold start of `authly serve` per backend (spawn → first 200 from `/health`), and the
 * latency of the first query through freshly opened storage next to the queries after it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { timeToExit, timeToHealthy } from '../startup.js';
import { availableVariants, openVariant, variantEnv, VARIANTS, type Locations, type Variant } from './backends.js';
import { quantile } from './measure.js';
import { createScratchDatabase, type ScratchDatabase, type Services } from './services.js';
import type { Size } from './sizes.js';

/** One row: a backend's start-up. */
export interface StartupRow {
  backend: string;
  /** Median ms from spawn to the first 200 from `/health`. */
  coldStart: number;
  coldStartMin: number;
  coldStartMax: number;
  /** Median ms of the first query on freshly opened storage (connection and statement preparation included). */
  firstQuery: number;
  /** Median ms of the queries right after it, for contrast. */
  nextQuery: number;
}

/** What the start-up table measured. */
export interface StartupResult {
  runs: number;
  /** Median ms of `node -e 0`: the floor every start pays. */
  nodeFloor: number;
  rows: StartupRow[];
  skipped: string[];
}

const ADMIN_PASSWORD = 'Bench-admin-password-1';
const median = (values: number[]) => quantile([...values].sort((a, b) => a - b), 0.5);

/**
 * First query after opening (as the server opens: migrations checked, cache warmed), then five
 * more: `users.findByUsername('admin')`, the login lookup.
 */
async function firstQuery(variant: Variant, at: Locations): Promise<{ first: number; next: number }> {
  const opened = await openVariant(variant, at);
  try {
    let t0 = performance.now();
    await opened.repos.users.findByUsername('admin');
    const first = performance.now() - t0;
    const next: number[] = [];
    for (let i = 0; i < 5; i++) {
      t0 = performance.now();
      await opened.repos.users.findByUsername('admin');
      next.push(performance.now() - t0);
    }
    return { first, next: median(next) };
  } finally {
    await opened.close();
  }
}

/** Runs table 3: every backend started `size.startupRuns` times, interleaved. */
export async function runStartupTable(size: Size, services: Services, log: (line: string) => void): Promise<StartupResult> {
  const wanted = size.startupVariants ?? VARIANTS.map((v) => v.name);
  const variants = availableVariants(services, wanted);
  const skipped = wanted.filter((name) => !variants.some((v) => v.name === name));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'authly-bench-startup-'));
  let scratch: ScratchDatabase | undefined;
  try {
    if (services.postgres) scratch = await createScratchDatabase();
    const at: Locations = { sqlitePath: path.join(dir, 'authly.db'), dir, ...(scratch ? { postgresUrl: scratch.url } : {}) };
    const envOf = (variant: Variant) => variantEnv(variant, at, { AUTHLY_ADMIN_PASSWORD: ADMIN_PASSWORD });
    // The first start of each database applies the migrations and creates the admin and the
    // signing key; every measured start finds them (except `memory`, which starts empty each time).
    for (const variant of variants) await timeToHealthy(envOf(variant));

    const starts = new Map<string, number[]>(variants.map((v) => [v.name, []]));
    const queries = new Map<string, { first: number; next: number }[]>(variants.map((v) => [v.name, []]));
    const floor: number[] = [];
    for (let run = 0; run < size.startupRuns; run++) {
      floor.push(await timeToExit(['-e', '0'], {}));
      for (const variant of variants) {
        starts.get(variant.name)!.push(await timeToHealthy(envOf(variant)));
        queries.get(variant.name)!.push(await firstQuery(variant, at));
      }
      log(`startup: run ${run + 1}/${size.startupRuns}: ${variants.map((v) => `${v.name} ${starts.get(v.name)!.at(-1)!.toFixed(0)} ms`).join(', ')}`);
    }
    const rows = variants.map((variant): StartupRow => {
      const times = starts.get(variant.name)!;
      const q = queries.get(variant.name)!;
      return {
        backend: variant.name,
        coldStart: median(times),
        coldStartMin: Math.min(...times),
        coldStartMax: Math.max(...times),
        firstQuery: median(q.map((x) => x.first)),
        nextQuery: median(q.map((x) => x.next)),
      };
    });
    return { runs: size.startupRuns, nodeFloor: median(floor), rows, skipped };
  } finally {
    await scratch?.drop().catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
