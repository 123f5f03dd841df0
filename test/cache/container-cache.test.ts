import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContainer, type Container } from '../../src/app/container.js';
import { loadConfig } from '../../src/config/index.js';
import { hasRedis, REDIS_URL } from '../helpers/services.js';

const logger = pino({ level: 'silent' });

describe('the container wraps repositories in the configured cache', () => {
  it('serves repeated client reads from the memory cache and counts hits', async () => {
    const config = loadConfig({ env: { AUTHLY_DATABASE__BACKEND: 'memory', AUTHLY_CACHE__BACKEND: 'memory' } });
    const container = await createContainer(config, { logger });
    try {
      const client = await container.repositories.clients.create({ clientId: 'cached-client', clientName: 'C', clientType: 'public', redirectUris: [] });
      await container.repositories.clients.findByClientId(client.clientId);
      await container.repositories.clients.findByClientId(client.clientId);
      expect(container.cacheStats()?.clients.hits).toBeGreaterThanOrEqual(1);
    } finally {
      await container.close();
    }
  });

  it('has no cache when cache.backend is none', async () => {
    const container = await createContainer(loadConfig({ env: { AUTHLY_DATABASE__BACKEND: 'memory', AUTHLY_CACHE__BACKEND: 'none' } }), { logger });
    expect(container.cacheStats()).toBeUndefined();
    await container.close();
  });

  it('caches in process by default (cache.backend auto) on SQLite', async () => {
    const container = await createContainer(loadConfig({ env: { AUTHLY_DATABASE__BACKEND: 'memory' } }), { logger });
    expect(container.cacheStats()).toBeDefined();
    await container.close();
  });

  describe.skipIf(!hasRedis)('tiered', () => {
    let container: Container;
    beforeAll(async () => {
      const config = loadConfig({
        env: { AUTHLY_DATABASE__BACKEND: 'memory', AUTHLY_CACHE__BACKEND: 'tiered', AUTHLY_REDIS_URL: REDIS_URL, AUTHLY_REDIS__KEY_PREFIX: `authly-test-${randomBytes(4).toString('hex')}:` },
      });
      container = await createContainer(config, { logger });
    });
    afterAll(async () => container?.close());

    it('warms scopes at start, so the first scope read is a hit', async () => {
      await container.repositories.scopes.findByName('openid');
      expect(container.cacheStats()?.scopes.hits).toBeGreaterThanOrEqual(1);
    });
  });
});
