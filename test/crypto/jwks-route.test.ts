import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import type { PublicJwk } from '../../src/domain/signing-key.js';
import { jwksRoutes } from '../../src/http/routes/jwks.js';
import type { JwksSource } from '../../src/http/routes/jwks.js';
import { buildServer } from '../../src/http/server.js';
import { createLogger } from '../../src/log/logger.js';
import type { Storage } from '../../src/storage/storage.js';
import { memoryStorage, TestClock, testKeystore } from './helpers.js';

const config = loadConfig({ env: {} });
const logger = createLogger({ level: 'silent', json: true });
let app: FastifyInstance | undefined;
let storage: Storage;

beforeEach(async () => {
  storage = await memoryStorage(new TestClock());
});
afterEach(async () => {
  await app?.close();
  app = undefined;
  await storage.close();
});

async function serverWith(keys: JwksSource): Promise<FastifyInstance> {
  app = await buildServer({ config, logger, health: async () => {}, version: '0.0.0' });
  await app.register(jwksRoutes, { keys });
  return app;
}

describe('GET /.well-known/jwks.json', () => {
  it('answers the public keys with Cache-Control: public, max-age=3600', async () => {
    const keystore = testKeystore(storage.repositories.signingKeys, new TestClock(), { algorithm: 'RS256' });
    const { kid } = await keystore.ensureSigningKey();
    const response = await (await serverWith(keystore)).inject({ method: 'GET', url: '/.well-known/jwks.json' });

    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('public, max-age=3600');
    const body = response.json() as { keys: PublicJwk[] };
    expect(body.keys).toEqual([{ kty: 'RSA', use: 'sig', alg: 'RS256', kid, n: expect.any(String), e: 'AQAB' }]);
  });

  it('never serves private members, whatever the source returns', async () => {
    const leaky: JwksSource = {
      jwks: async () => ({ keys: [{ kty: 'RSA', kid: 'k', n: 'n', e: 'AQAB', d: 'x', p: 'x', q: 'x', dp: 'x', dq: 'x', qi: 'x' }] }),
    };
    const response = await (await serverWith(leaky)).inject({ method: 'GET', url: '/.well-known/jwks.json' });
    expect(response.json()).toEqual({ keys: [{ kty: 'RSA', kid: 'k', n: 'n', e: 'AQAB' }] });
  });

  it('answers 500 with Authly’s detail when the keys cannot be read', async () => {
    const broken: JwksSource = {
      jwks: async () => {
        throw new Error('database down');
      },
    };
    const response = await (await serverWith(broken)).inject({ method: 'GET', url: '/.well-known/jwks.json' });
    expect(response.statusCode).toBe(500);
    expect(response.json()).toEqual({ detail: 'Unable to generate JWKS response' });
  });
});
