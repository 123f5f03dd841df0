import { describe, expect, it } from 'vitest';
import { storageOptionsFrom } from '../../src/app/storage-options.js';
import { loadConfig } from '../../src/config/index.js';

describe('storageOptionsFrom', () => {
  it('maps the default configuration to the SQLite file with its pragmas and statement cache', () => {
    expect(storageOptionsFrom(loadConfig({ env: {} }))).toEqual({
      backend: 'sqlite',
      path: './data/authly.db',
      statementCacheSize: 500,
      pragmas: {
        journal_mode: 'WAL',
        synchronous: 'NORMAL',
        cache_size: -64000,
        temp_store: 'MEMORY',
        busy_timeout: 5000,
        foreign_keys: true,
      },
    });
  });

  it('gives the memory backend the SQLite pragmas but no path', () => {
    const options = storageOptionsFrom(loadConfig({ env: { AUTHLY_DATABASE__BACKEND: 'memory' } }));
    expect(options).toMatchObject({ backend: 'memory', statementCacheSize: 500 });
    expect(options).not.toHaveProperty('path');
  });

  it('passes a PostgreSQL URL as the connection string', () => {
    const url = 'postgres://authly:pw@127.0.0.1:5432/authly';
    expect(storageOptionsFrom(loadConfig({ env: { DATABASE_URL: url } }))).toEqual({
      backend: 'postgresql',
      connectionString: url,
      poolSize: 10,
    });
  });

  it('passes the PostgreSQL connection fields when no URL is set', () => {
    const config = loadConfig({
      env: { AUTHLY_DATABASE__BACKEND: 'postgresql', AUTHLY_DATABASE__POSTGRESQL__POOL_SIZE: '4' },
    });
    expect(storageOptionsFrom(config)).toEqual({
      backend: 'postgresql',
      host: 'localhost',
      port: 5432,
      database: 'authly',
      user: 'authly',
      poolSize: 4,
    });
  });
});
