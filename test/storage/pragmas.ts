import type { SqlitePragmas } from '../../src/storage/storage.js';

/** The pragmas the configuration defaults to (README, `database.sqlite.pragmas`). */
export const DEFAULT_TEST_PRAGMAS: SqlitePragmas = {
  journal_mode: 'WAL',
  synchronous: 'NORMAL',
  cache_size: -64000,
  temp_store: 'MEMORY',
  busy_timeout: 5000,
  foreign_keys: true,
};
