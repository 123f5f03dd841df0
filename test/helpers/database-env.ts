import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestDatabase } from './postgres.js';

/**
 * Environment naming a fresh database for application instances that share it: a new
 * PostgreSQL database, or a SQLite file in a new temp folder. `cleanup` receives what removes it.
 */
export async function sharedDatabaseEnv(
  backend: 'sqlite' | 'postgresql',
  cleanup: (remove: () => Promise<void> | void) => void,
): Promise<Record<string, string>> {
  if (backend === 'postgresql') {
    const db = await createTestDatabase('authly_shared');
    cleanup(() => db.drop());
    return { DATABASE_URL: db.url };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'authly-shared-'));
  cleanup(() => fs.rmSync(dir, { recursive: true, force: true }));
  return { AUTHLY_DATABASE__SQLITE__PATH: path.join(dir, 'authly.db') };
}
