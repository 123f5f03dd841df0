import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCli, waitForLine } from '../cli/run-cli.js';
import { eventually, pause, startLoad } from '../helpers/load.js';
import { canRunPrivatePostgres, startPrivatePostgres, type PrivatePostgres } from '../helpers/private-postgres.js';
import { seedDatabase, tokenRequest, type SeededDatabase } from '../helpers/seed.js';

/*
 * The server must outlive PostgreSQL's failures: backends terminated under load
 * (pg_terminate_backend, which is also what a fast shutdown does to every session) and the
 * server stopped for seconds. It answers 503 + Retry-After while the database is unreachable and
 * 200 again once it is back. The cluster is the test's own (never the shared 5432), and the
 * server is a real `authly serve` process, so a crash shows as an exit.
 */
describe.skipIf(!canRunPrivatePostgres)('PostgreSQL faults under load', () => {
  let cluster: PrivatePostgres;
  let databaseName: string;
  let databaseUrl: string;
  let seeded: SeededDatabase;

  beforeAll(async () => {
    cluster = await startPrivatePostgres();
    databaseName = `authly_faults_${randomBytes(4).toString('hex')}`;
    databaseUrl = await cluster.createDatabase(databaseName);
    seeded = await seedDatabase({ backend: 'postgresql', connectionString: databaseUrl, poolSize: 2 });
  });

  afterAll(() => {
    cluster?.destroy();
  });

  /** Terminates every backend of the server's database (only that database's). */
  async function terminateBackends(): Promise<number> {
    const admin = new pg.Client({ connectionString: cluster.url() });
    await admin.connect();
    try {
      const { rowCount } = await admin.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
        [databaseName],
      );
      return rowCount ?? 0;
    } finally {
      await admin.end();
    }
  }

  it('survives 20 rounds of pg_terminate_backend and a 5 s stop: 503 + Retry-After while down, 200 after', async () => {
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'authly-faults-'));
    const child = startCli(['serve', '--host', '127.0.0.1', '--port', '0'], {
      cwd,
      env: {
        DATABASE_URL: databaseUrl,
        AUTHLY_SECRETS__MASTER_KEY: seeded.masterKey,
        AUTHLY_DATABASE__POSTGRESQL__POOL_SIZE: '4',
        AUTHLY_ADMIN__BOOTSTRAP: 'false',
        AUTHLY_RATE_LIMIT__ENABLED: 'false',
        LOG_LEVEL: 'info',
      },
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // Keep draining the request log: a full pipe would block the server.
    child.stdout.on('data', () => undefined);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const [, url] = await waitForLine(child, /"url":"(http:\/\/[^"]+)"/);
      const token = () => tokenRequest(url!, seeded.basic);
      expect((await token()).status).toBe(200);

      const load = startLoad(6, token);
      let terminated = 0;
      for (let round = 0; round < 20; round++) {
        await pause(500);
        terminated += await terminateBackends();
        expect(child.exitCode, `server exited in round ${round + 1}:\n${stderr}`).toBeNull();
      }
      expect(terminated).toBeGreaterThan(0);
      await eventually(async () => (await token()).status === 200);

      // PostgreSQL stopped: every request is a 503 with Retry-After, the OAuth body on OAuth routes.
      cluster.stop();
      const down = await token();
      expect(down.status).toBe(503);
      expect(down.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(await down.json()).toMatchObject({ error: 'temporarily_unavailable' });
      const health = await fetch(`${url}/health`);
      expect(health.status).toBe(503);
      expect(await health.json()).toMatchObject({ status: 'unhealthy', database: 'error' });
      await pause(5000);
      expect(child.exitCode, stderr).toBeNull();
      cluster.start();
      await eventually(async () => (await token()).status === 200);
      await eventually(async () => (await fetch(`${url}/health`)).status === 200);

      const report = await load.stop();
      expect(child.exitCode, stderr).toBeNull();
      expect(stderr).not.toContain("Unhandled 'error' event");
      // Every request got an answer, and every answer was a success or "try again later".
      expect(report.networkErrors).toEqual([]);
      expect([...report.statuses.keys()].sort()).toEqual(expect.arrayContaining([200, 503]));
      for (const status of report.statuses.keys()) expect([200, 503]).toContain(status);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      fs.rmSync(cwd, { recursive: true, force: true });
    }
  }, 120_000);
});
