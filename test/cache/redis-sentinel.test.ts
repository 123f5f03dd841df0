import { afterAll, describe, expect, it } from 'vitest';
import { canRunRedisServers, startRedisSentinel } from '../helpers/redis-servers.js';

/*
 * The Redis store and shared-counter suites against a master found through a Sentinel this file
 * starts (redis-sentinel://host:port/master-name). The suites read AUTHLY_TEST_REDIS_URL when
 * first imported, so it is set before they are.
 */
const sentinel = canRunRedisServers ? await startRedisSentinel() : undefined;
if (sentinel) process.env.AUTHLY_TEST_REDIS_URL = sentinel.url;
afterAll(async () => {
  await sentinel?.stop();
});

describe.skipIf(!sentinel)('the Sentinel under test', () => {
  it('is a sentinel URL', () => {
    expect(process.env.AUTHLY_TEST_REDIS_URL).toMatch(/^redis-sentinel:\/\/127\.0\.0\.1:\d+\/authly-master$/);
  });
});

if (sentinel) {
  await import('./redis-store.test.js');
  await import('../protection/redis-shared.test.js');
}
