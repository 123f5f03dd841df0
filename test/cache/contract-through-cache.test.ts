import { describe } from 'vitest';
import { hasPostgres, hasRedis } from '../helpers/services.js';
import { runRepositoryContract } from '../storage/repository-contract.js';
import { cachedStack, openPostgres, openSqliteMemory, uniquePrefix } from './stacks.js';

/*
 * The repository contract, unchanged, through every cache mode: a decorator that returns a
 * stale row after a write, loses a Date, or drops a method fails it.
 */
const prefix = uniquePrefix();
const modes = [
  { cache: 'memory', needsRedis: false },
  { cache: 'redis', needsRedis: true },
  { cache: 'tiered', needsRedis: true },
] as const;

for (const { cache, needsRedis } of modes) {
  describe.skipIf(needsRedis && !hasRedis)(`cache ${cache}`, () => {
    runRepositoryContract(`SQLite :memory: through cache ${cache}`, async () => {
      const storage = await openSqliteMemory();
      const stack = await cachedStack(storage.repositories, { cache, prefix: `${prefix}sqlite-${cache}:` });
      return {
        repositories: stack.repositories,
        async close() {
          await stack.close();
          await storage.close();
        },
      };
    });

    describe.skipIf(!hasPostgres)('PostgreSQL', () => {
      runRepositoryContract(`PostgreSQL through cache ${cache}`, async () => {
        const pg = await openPostgres();
        const stack = await cachedStack(pg.storage.repositories, { cache, prefix: `${prefix}pg-${cache}:` });
        return {
          repositories: stack.repositories,
          async close() {
            await stack.close();
            await pg.close();
          },
        };
      });
    });
  });
}
