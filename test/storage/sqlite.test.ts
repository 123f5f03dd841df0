import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStorage } from '../../src/app/storage.js';
import { DEFAULT_TEST_PRAGMAS } from './pragmas.js';
import { runRepositoryContract } from './repository-contract.js';

runRepositoryContract('SQLite :memory:', async () => {
  const storage = await openStorage({ backend: 'memory', pragmas: DEFAULT_TEST_PRAGMAS });
  await storage.migrate();
  return storage;
});

runRepositoryContract('SQLite file (WAL)', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'authly-contract-'));
  const storage = await openStorage({ backend: 'sqlite', path: path.join(dir, 'authly.db'), pragmas: DEFAULT_TEST_PRAGMAS });
  await storage.migrate();
  return {
    repositories: storage.repositories,
    async close() {
      await storage.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
});
