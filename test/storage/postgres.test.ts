import { describe } from 'vitest';
import { openStorage } from '../../src/app/storage.js';
import { createTestDatabase } from '../helpers/postgres.js';
import { hasPostgres } from '../helpers/services.js';
import { runRepositoryContract } from './repository-contract.js';

describe.skipIf(!hasPostgres)('PostgreSQL', () => {
  runRepositoryContract('PostgreSQL', async () => {
    const database = await createTestDatabase();
    const storage = await openStorage({ backend: 'postgresql', connectionString: database.url, poolSize: 10 });
    await storage.migrate();
    return {
      repositories: storage.repositories,
      async close() {
        await storage.close();
        await database.drop();
      },
    };
  });
});
