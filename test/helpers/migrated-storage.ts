import { openStorage } from '../../src/app/storage.js';
import type { Storage } from '../../src/storage/storage.js';
import { DEFAULT_TEST_PRAGMAS } from '../storage/pragmas.js';
import { createTestDatabase, type TestDatabase } from './postgres.js';

/** Storage opened and migrated for one test file, and how to throw it away. */
export interface MigratedStorage {
  storage: Storage;
  /** Closes the storage and drops the PostgreSQL database, if one was made. */
  dispose(): Promise<void>;
}

/**
 * Opens a fresh, migrated store: SQLite `:memory:` for `sqlite`, or a new PostgreSQL database
 * named after `prefix` (dropped by `dispose`) for `postgresql`.
 */
export async function openMigratedStorage(backend: 'sqlite' | 'postgresql', prefix: string, poolSize = 5): Promise<MigratedStorage> {
  let pg: TestDatabase | undefined;
  let storage: Storage;
  if (backend === 'postgresql') {
    pg = await createTestDatabase(prefix);
    storage = await openStorage({ backend: 'postgresql', connectionString: pg.url, poolSize });
  } else {
    storage = await openStorage({ backend: 'memory', pragmas: DEFAULT_TEST_PRAGMAS });
  }
  await storage.migrate();
  return {
    storage,
    async dispose() {
      await storage.close();
      await pg?.drop();
    },
  };
}
