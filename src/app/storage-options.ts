import type { Config } from '../config/index.js';
import type { StorageOptions } from '../storage/storage.js';

/**
 * Maps the `database` section to the options of one storage backend. `memory` is SQLite
 * `:memory:`, so it takes the SQLite PRAGMAs but no path.
 */
export function storageOptionsFrom(config: Config): StorageOptions {
  const { backend, sqlite, postgresql } = config.database;
  switch (backend) {
    case 'sqlite':
      return {
        backend,
        path: sqlite.path,
        pragmas: { ...sqlite.pragmas },
        statementCacheSize: sqlite.statement_cache_size,
      };
    case 'memory':
      return { backend, pragmas: { ...sqlite.pragmas }, statementCacheSize: sqlite.statement_cache_size };
    case 'postgresql':
      return {
        backend,
        // A URL wins over the separate fields, as DATABASE_URL does in Authly.
        ...(postgresql.url === null
          ? {
              host: postgresql.host,
              port: postgresql.port,
              database: postgresql.database,
              user: postgresql.user,
              ...(postgresql.password === null ? {} : { password: postgresql.password }),
            }
          : { connectionString: postgresql.url }),
        poolSize: postgresql.pool_size,
      };
  }
}
