/**
 * One measured step of `npm run bench -- migrate`, in its own process so that its peak RSS
 * (`process.resourceUsage().maxRSS`) is its own. Reads a JSON job from argv, prints one JSON line:
 * `{"rows":…,"seconds":…,"maxRssKiB":…}`.
 */
import { copyDatabase, endpointFor, exportDatabase, importDump, seedDatabase } from '../src/storage/transfer/index.js';
import type { Endpoint } from '../src/storage/transfer/index.js';
import type { StorageOptions } from '../src/storage/storage.js';

/** What the parent asks a child to do. */
export type Job =
  | { kind: 'baseline' }
  | { kind: 'seed'; target: StorageOptions; users: number; tokensPerUser: number }
  | { kind: 'copy'; source: StorageOptions; target: StorageOptions }
  | { kind: 'export'; source: StorageOptions; file: string }
  | { kind: 'import'; file: string; target: StorageOptions };

const at = (options: StorageOptions): Endpoint => endpointFor(options);

async function run(job: Job): Promise<number> {
  switch (job.kind) {
    case 'baseline':
      return 0;
    case 'seed': {
      // A fixed hash: the bench measures the database, not argon2.
      const report = await seedDatabase({ target: at(job.target), users: job.users, tokensPerUser: job.tokensPerUser, passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$YmVuY2g$YmVuY2g', seed: 7, now: new Date() });
      return report.tables.reduce((sum, table) => sum + table.inserted, 0);
    }
    case 'copy': {
      const report = await copyDatabase({ source: at(job.source), target: at(job.target), mode: 'empty' });
      return report.tables.reduce((sum, table) => sum + table.inserted, 0);
    }
    case 'export': {
      const report = await exportDatabase({ source: at(job.source), file: job.file });
      return report.header.tables.reduce((sum, table) => sum + table.rows, 0);
    }
    case 'import': {
      const report = await importDump({ file: job.file, target: at(job.target), mode: 'empty' });
      return report.tables.reduce((sum, table) => sum + table.inserted, 0);
    }
  }
}

const job = JSON.parse(process.argv[2] ?? '{"kind":"baseline"}') as Job;
const started = performance.now();
const rows = await run(job);
const seconds = (performance.now() - started) / 1000;
process.stdout.write(`${JSON.stringify({ rows, seconds, maxRssKiB: process.resourceUsage().maxRSS })}\n`);
