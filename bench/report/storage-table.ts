/**
 * Table 1: storage operations through the repositories on every backend configuration, with
 * each configuration's rate divided by PostgreSQL's. Operations run op by op across all
 * configurations (not configuration by configuration), so a burst of load elsewhere on the
 * machine falls on every row of one operation alike.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config/index.js';
import { createPasswordHasher } from '../../src/crypto/password-hasher.js';
import { systemClock } from '../../src/repositories/ports.js';
import { listUsers } from '../../src/services/admin/user-list.js';
import { seedDatabase, endpointFor } from '../../src/storage/transfer/index.js';
import { storageOptionsFrom } from '../../src/app/storage-options.js';
import { availableVariants, openVariant, seededUserId, variantEnv, VARIANTS, type Locations, type OpenedVariant, type Variant } from './backends.js';
import { fillThroughRepositories } from './fill.js';
import { concurrent, sequential, timing, type Timing } from './measure.js';
import { createScratchDatabase, type ScratchDatabase, type Services } from './services.js';
import type { Size } from './sizes.js';

/** The operations, in the order the table lists them. */
export const STORAGE_OPERATIONS = ['single read', 'complex query', 'single write', 'bulk insert 1,000 users', '50 concurrent reads', '50 concurrent writes'] as const;
export type StorageOperation = (typeof STORAGE_OPERATIONS)[number];

/** One cell: an operation on a configuration. */
export interface StorageCell extends Timing {
  operation: StorageOperation;
  backend: string;
  /** This rate ÷ PostgreSQL's for the same operation. */
  ratioToPostgres?: number;
}

/** What the storage table measured. */
export interface StorageResult {
  users: number;
  tokensPerUser: number;
  cells: StorageCell[];
  skipped: string[];
}

const TOKENS_PER_USER = 2;
/**
 * Reads cycle over this many users (a hot set the warm-up touches once), so the cached rows
 * measure what a cache is for: repeated reads of the same rows.
 */
const READ_SET = 1000;
const SEARCHES = ['an', 'sen', 'ali', 'ivanova', 'zoë'];

/** Seeds `users` into the SQLite file and the PostgreSQL database as `authly db seed` does. */
async function seedAll(variants: Variant[], at: Locations, users: number, seed: number, passwordHash: string): Promise<void> {
  const storages = new Set(variants.map((v) => v.storage));
  for (const backend of ['sqlite', 'postgresql'] as const) {
    if (!storages.has(backend)) continue;
    const options = storageOptionsFrom(loadConfig({ env: variantEnv(VARIANTS.find((v) => v.storage === backend)!, at), flags: {} }));
    await seedDatabase({ target: endpointFor(options), users, tokensPerUser: TOKENS_PER_USER, passwordHash, seed, now: new Date() });
  }
}

/** The `memory` backend lives in this process: create the seed's rows through its repositories. */
async function openMemory(variant: Variant, at: Locations, users: number, seed: number, passwordHash: string): Promise<OpenedVariant> {
  const opened = await openVariant(variant, at);
  await fillThroughRepositories(opened.repos, { users, tokensPerUser: TOKENS_PER_USER, passwordHash, seed, now: new Date() });
  return opened;
}

function operation(name: StorageOperation, opened: OpenedVariant, ctx: { seed: number; users: number; tag: string; bulkUsers: number; passwordHash: string }): (i: number) => Promise<unknown> {
  const { repos } = opened;
  const userId = (i: number) => seededUserId(ctx.seed, (i * 7919) % ctx.users);
  const readId = (i: number) => seededUserId(ctx.seed, (i * 7919) % Math.min(READ_SET, ctx.users));
  const token = (i: number) => {
    const jti = `${ctx.tag}-${opened.variant.name.replace(/\W+/g, '')}-${name.replace(/\W+/g, '')}-${i}`;
    return repos.tokens.save({ userId: userId(i), jti, tokenType: 'access', tokenValue: `v-${jti}`, expiresAt: new Date(Date.now() + 3_600_000), scope: 'openid' });
  };
  switch (name) {
    case 'single read':
    case '50 concurrent reads':
      return async (i) => {
        if ((await repos.users.findById(readId(i))) === undefined) throw new Error(`user ${readId(i)} missing on ${opened.variant.name}`);
      };
    case 'complex query':
      return (i) =>
        listUsers(
          { skip: 0, limit: 25, search: SEARCHES[i % SEARCHES.length], is_active: true, sort_by: 'last_login', sort_order: 'desc' },
          { repos, clock: systemClock },
        );
    case 'single write':
    case '50 concurrent writes':
      return token;
    case 'bulk insert 1,000 users':
      return async (round) => {
        for (let n = 0; n < ctx.bulkUsers; n++) {
          const username = `bulk-${ctx.tag}-${opened.variant.name.replace(/\W+/g, '')}-${round}-${n}`;
          await repos.users.create({ username, email: `${username}@example.com`, passwordHash: ctx.passwordHash, givenName: 'Bulk', familyName: `User ${n}` });
        }
      };
  }
}

async function measureCell(name: StorageOperation, op: (i: number) => Promise<unknown>, size: Size): Promise<Timing> {
  const readWarmup = size.warmup + Math.min(READ_SET, size.storageUsers);
  switch (name) {
    case 'single read':
      return sequential(op, size.samples, readWarmup);
    case 'complex query':
    case 'single write':
      return sequential(op, Math.max(5, Math.round(size.samples / 5)), Math.min(size.warmup, 20));
    case '50 concurrent reads':
      return concurrent(op, size.concurrentOps, size.inFlight, readWarmup);
    case '50 concurrent writes':
      return concurrent(op, size.concurrentOps, size.inFlight, size.inFlight);
    case 'bulk insert 1,000 users': {
      // One timed unit is a whole bulk insert; its rate is rows per second.
      const latencies: number[] = [];
      for (let round = 0; round < size.bulkRounds; round++) {
        const t0 = performance.now();
        await op(round);
        latencies.push(performance.now() - t0);
      }
      const total = latencies.reduce((a, b) => a + b, 0);
      return timing(latencies, total, size.bulkRounds * size.bulkUsers);
    }
  }
}

/** Runs table 1 on the configurations whose servers answered. */
export async function runStorageTable(size: Size, services: Services, log: (line: string) => void): Promise<StorageResult> {
  const variants = availableVariants(services);
  const skipped = VARIANTS.filter((v) => !variants.includes(v)).map((v) => v.name);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'authly-bench-storage-'));
  let scratch: ScratchDatabase | undefined;
  const opened: OpenedVariant[] = [];
  try {
    if (services.postgres) scratch = await createScratchDatabase();
    const at: Locations = { sqlitePath: path.join(dir, 'authly.db'), dir, ...(scratch ? { postgresUrl: scratch.url } : {}) };
    const seed = 1 + Math.floor(Math.random() * 2 ** 30);
    // One argon2id hash for every user, as `authly db seed` does.
    const passwordHash = await createPasswordHasher().hash('bench-password-1');
    log(`storage: seeding ${size.storageUsers.toLocaleString('en-US')} users (${TOKENS_PER_USER} tokens each) into ${[...new Set(variants.map((v) => v.storage))].join(', ')}`);
    await seedAll(variants, at, size.storageUsers, seed, passwordHash);
    for (const variant of variants) {
      opened.push(variant.storage === 'memory' ? await openMemory(variant, at, size.storageUsers, seed, passwordHash) : await openVariant(variant, at));
    }
    // The first open of a SQLite file after the seed checkpoints nothing; make sure each pool works.
    for (const o of opened) await o.storage.ping();

    const cells: StorageCell[] = [];
    const tag = Date.now().toString(36);
    for (const name of STORAGE_OPERATIONS) {
      for (const o of opened) {
        const t = await measureCell(name, operation(name, o, { seed, users: size.storageUsers, tag, bulkUsers: size.bulkUsers, passwordHash }), size);
        cells.push({ operation: name, backend: o.variant.name, ...t });
        log(`storage: ${name.padEnd(24)} ${o.variant.name.padEnd(26)} median ${t.median.toFixed(3)} ms, p99 ${t.p99.toFixed(3)} ms, ${Math.round(t.opsPerSecond)}/s`);
      }
    }
    for (const cell of cells) {
      const pgCell = cells.find((c) => c.operation === cell.operation && c.backend === 'postgresql');
      if (pgCell) cell.ratioToPostgres = cell.opsPerSecond / pgCell.opsPerSecond;
    }
    return { users: size.storageUsers, tokensPerUser: TOKENS_PER_USER, cells, skipped };
  } finally {
    for (const o of opened) await o.close().catch(() => undefined);
    await scratch?.drop().catch((error: unknown) => log(`storage: could not drop the scratch database: ${String(error)}`));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
