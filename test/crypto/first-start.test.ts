import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createApplication, type Application } from '../../src/app/application.js';
import { loadConfig } from '../../src/config/index.js';
import { sharedDatabaseEnv } from '../helpers/database-env.js';
import { hasPostgres } from '../helpers/services.js';

/*
 * Discovery advertises RS256, ES256 and EdDSA for ID tokens, so JWKS must publish a key of each
 * from the first request on, and instances that start together on one fresh database must agree
 * on one key per algorithm (the database decides), not create one each.
 */
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function jwks(app: Application): Promise<Array<{ kid: string; alg: string; kty: string }>> {
  const response = await app.server.inject({ method: 'GET', url: '/.well-known/jwks.json' });
  expect(response.statusCode).toBe(200);
  return (response.json() as { keys: Array<{ kid: string; alg: string; kty: string }> }).keys;
}

/*
 * On PostgreSQL the two start concurrently. better-sqlite3 blocks its thread while it waits for
 * the file lock, so two SQLite instances in one process cannot wait for each other: there the
 * second starts after the first (separate processes wait on the lock as they should).
 */
describe.each([
  ['sqlite', true, false],
  ['postgresql', hasPostgres, true],
] as const)('two instances starting on one fresh %s database', (backend, available, concurrently) => {
  it.skipIf(!available)('create one key per advertised algorithm, and both serve JWKS with RS256 first', async () => {
    const env = {
      ...(await sharedDatabaseEnv(backend, (remove) => cleanups.push(remove))),
      AUTHLY_SECRETS__MASTER_KEY: randomBytes(32).toString('base64url'),
      AUTHLY_CACHE__BACKEND: 'memory',
      AUTHLY_ADMIN__BOOTSTRAP: 'false',
    };
    const config = loadConfig({ env });
    const start = async () => {
      const app = await createApplication(config, { logger: pino({ level: 'silent' }), version: 'test' });
      cleanups.push(() => app.close());
      return app;
    };
    // At once, each migrates, finds no key and generates one per algorithm before inserting.
    const [one, two] = concurrently ? await Promise.all([start(), start()]) : [await start(), await start()];

    const stored = await one.container.repositories.signingKeys.list();
    expect(stored.map((key) => key.algorithm).sort()).toEqual(['ES256', 'EdDSA', 'RS256']);
    const first = await jwks(one);
    expect(first.map((key) => key.alg)).toEqual(['RS256', 'ES256', 'EdDSA']);
    expect(first.map((key) => key.kty)).toEqual(['RSA', 'EC', 'OKP']);
    expect(await jwks(two)).toEqual(first);
    expect(first.map((key) => key.kid).sort()).toEqual(stored.map((key) => key.kid).sort());
  });
});
