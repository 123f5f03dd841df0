import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApplication, type Application } from '../../src/app/application.js';
import { loadConfig } from '../../src/config/index.js';
import { seedDatabase, tokenRequest, type SeededDatabase } from '../helpers/seed.js';
import { DEFAULT_TEST_PRAGMAS } from '../storage/pragmas.js';

/*
 * A server on a SQLite file with its in-process cache (`cache.backend: auto`) and a write to the
 * file through another connection (another process, the sqlite3 shell): the next request the
 * server gets must see it, although the server looks for such commits only once per turn of its
 * event loop and the client it is about was served from its cache a moment before.
 */
describe('a server on a SQLite file and a commit from another connection', () => {
  let dir: string;
  let file: string;
  let seeded: SeededDatabase;
  let app: Application;
  let url: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'authly-sqlite-coherence-http-'));
    file = path.join(dir, 'authly.db');
    seeded = await seedDatabase({ backend: 'sqlite', path: file, pragmas: DEFAULT_TEST_PRAGMAS });
    const config = loadConfig({
      env: { AUTHLY_DATABASE__SQLITE__PATH: file, AUTHLY_SECRETS__MASTER_KEY: seeded.masterKey, AUTHLY_ADMIN__BOOTSTRAP: 'false', AUTHLY_RATE_LIMIT__ENABLED: 'false' },
    });
    app = await createApplication(config, { logger: pino({ level: 'silent' }), version: 'test' });
    url = await app.server.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await app?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a client deactivated by another connection from the next request on, though it was cached', async () => {
    expect((await tokenRequest(url, seeded.basic)).status).toBe(200);
    const hits = app.container.cacheStats()?.clients?.hits ?? 0;
    expect((await tokenRequest(url, seeded.basic)).status).toBe(200);
    // The second request found the client in the cache: the check below is about a cached row.
    expect(app.container.cacheStats()?.clients?.hits ?? 0).toBeGreaterThan(hits);

    const other = new BetterSqlite3(file);
    try {
      other.pragma(`busy_timeout = ${DEFAULT_TEST_PRAGMAS.busy_timeout}`);
      expect(other.prepare('UPDATE oauth_clients SET is_active = 0').run().changes).toBe(1);
    } finally {
      other.close();
    }

    const refused = await tokenRequest(url, seeded.basic);
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ error: 'invalid_client' });
  });
});
