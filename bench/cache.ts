/**
 * Cache micro-benchmark: `clients.findByClientId` on SQLite `:memory:` uncached, then through
 * the memory, tiered and redis stores (the last two when Redis answers). Prints ops/s and the
 * ratio to uncached; the target is cached ≥ 10× uncached. Not a test: numbers vary by machine.
 *
 * Options: `--seconds <n>` per variant (default 2), `--concurrency <n>` (default 32).
 * Redis: AUTHLY_BENCH_REDIS_URL, else AUTHLY_TEST_REDIS_URL, else redis://127.0.0.1:6379.
 */
import { openStorage } from '../src/app/storage.js';
import { createCacheStore, withCache, type CacheHandle } from '../src/cache/index.js';
import type { Logger } from '../src/repositories/ports.js';
import type { Repositories } from '../src/repositories/repositories.js';
import { option } from './options.js';

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** Calls `op` from `concurrency` loops for `seconds`; returns completed calls per second. */
async function measure(op: () => Promise<unknown>, seconds: number, concurrency: number): Promise<number> {
  const deadline = performance.now() + seconds * 1000;
  let done = 0;
  async function loop(): Promise<void> {
    while (performance.now() < deadline) {
      await op();
      done += 1;
    }
  }
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, loop));
  return done / ((performance.now() - start) / 1000);
}

async function variant(label: string, repos: Repositories, clientIds: string[], seconds: number, concurrency: number): Promise<number> {
  let i = 0;
  const op = async function findOne(): Promise<void> {
    const clientId = clientIds[i++ % clientIds.length] as string;
    if ((await repos.clients.findByClientId(clientId)) === undefined) throw new Error(`lost ${clientId}`);
  };
  await measure(op, Math.min(0.5, seconds), concurrency); // warm: JIT, statement cache, cache fill
  const rate = await measure(op, seconds, concurrency);
  console.log(`${label.padEnd(28)} ${Math.round(rate).toLocaleString('en-US').padStart(12)} ops/s`);
  return rate;
}

/** Runs the benchmark and prints one line per variant. */
export async function run(args: string[]): Promise<void> {
  const seconds = option(args, 'seconds', 2);
  const concurrency = option(args, 'concurrency', 32);
  const storage = await openStorage({
    backend: 'memory',
    pragmas: { journal_mode: 'WAL', synchronous: 'NORMAL', cache_size: -64000, temp_store: 'MEMORY', busy_timeout: 5000, foreign_keys: true },
  });
  await storage.migrate();
  const base = storage.repositories;
  const clientIds: string[] = [];
  for (let n = 0; n < 100; n += 1) {
    const client = await base.clients.create({ clientId: `bench-${n}`, clientName: `Bench ${n}`, clientType: 'public', redirectUris: ['https://app.example/cb'] });
    clientIds.push(client.clientId);
  }
  console.log(`clients.findByClientId over 100 clients, ${concurrency} in flight, ${seconds}s per variant`);

  const uncached = await variant('uncached (SQLite :memory:)', base, clientIds, seconds, concurrency);
  const results: [string, number][] = [];
  const redisUrl = process.env.AUTHLY_BENCH_REDIS_URL ?? process.env.AUTHLY_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const prefix = `authly-bench-${process.pid}:`;
  for (const backend of ['memory', 'tiered', 'redis'] as const) {
    const handle: CacheHandle = createCacheStore({ backend, ttlSeconds: 300, maxSize: 10_000, redisUrl, keyPrefix: prefix, logger: quiet });
    const store = handle.store!;
    try {
      if (!(await store.ready(1000))) {
        console.log(`${`${backend} cache`.padEnd(28)} skipped: Redis not reachable at ${redisUrl}`);
        continue;
      }
      results.push([backend, await variant(`${backend} cache`, withCache(base, { store }), clientIds, seconds, concurrency)]);
      if (backend !== 'memory') await store.flush();
    } finally {
      await handle.close();
    }
  }
  await storage.close();

  console.log('');
  for (const [backend, rate] of results) {
    const ratio = rate / uncached;
    const verdict = backend === 'redis' ? '' : ratio >= 10 ? '  (target ≥ 10×: met)' : '  (target ≥ 10×: NOT met)';
    console.log(`${backend} / uncached: ${ratio.toFixed(1)}×${verdict}`);
  }
}
