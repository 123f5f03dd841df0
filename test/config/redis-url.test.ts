import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/index.js';
import { describeRedisTarget, parseRedisUrl } from '../../src/config/redis-url.js';

describe('redis.url forms', () => {
  it('reads one server as given (ioredis parses redis:// itself)', () => {
    expect(parseRedisUrl('redis://:pw@cache.internal:6380/2')).toEqual({ kind: 'single', url: 'redis://:pw@cache.internal:6380/2', tls: false });
    expect(parseRedisUrl('rediss://cache.internal')).toMatchObject({ kind: 'single', tls: true });
  });

  it('reads cluster seed nodes, credentials and TLS', () => {
    expect(parseRedisUrl('redis-cluster://app:p%40ss@10.0.0.1:7000,10.0.0.2:7001,[::1]:7002,node-d')).toEqual({
      kind: 'cluster',
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: '10.0.0.2', port: 7001 },
        { host: '::1', port: 7002 },
        { host: 'node-d', port: 6379 },
      ],
      username: 'app',
      password: 'p@ss',
      tls: false,
    });
    expect(parseRedisUrl('rediss-cluster://a:1')).toMatchObject({ kind: 'cluster', tls: true });
  });

  it('reads sentinels, the master name, the database and the sentinels’ own credentials', () => {
    expect(parseRedisUrl('rediss-sentinel://:data-pw@s1:26380,s2/mymaster/3?sentinel_username=sen&sentinel_password=sen-pw')).toEqual({
      kind: 'sentinel',
      sentinels: [
        { host: 's1', port: 26380 },
        { host: 's2', port: 26379 },
      ],
      masterName: 'mymaster',
      db: 3,
      password: 'data-pw',
      tls: true,
      sentinelUsername: 'sen',
      sentinelPassword: 'sen-pw',
    });
  });

  it.each([
    ['http://cache:6379', /expected redis/],
    ['redis-cluster://', /expected redis/],
    ['redis-cluster://a:1,,b:2', /empty host/],
    ['redis-cluster://a:99999', /not host:port/],
    ['redis-cluster://a:1/0', /no path/],
    ['redis-cluster://a:1?tls=1', /no query/],
    ['redis-sentinel://s1:26379', /names the master/],
    ['redis-sentinel://s1:26379/m/x', /not a number/],
    ['redis-sentinel://s1:26379/m/0/extra', /\/<master-name>\[\/<db>\]/],
    ['redis-sentinel://s1:26379/m?password=x', /unknown query parameter "password"/],
  ])('refuses %s', (url, reason) => {
    expect(() => parseRedisUrl(url)).toThrow(reason);
  });

  it('names the target in log lines without credentials', () => {
    expect(describeRedisTarget('redis://:secret@cache:6380')).toBe('cache:6380');
    expect(describeRedisTarget('redis-cluster://u:secret@a:1,b:2')).toBe('cluster a:1,b:2');
    expect(describeRedisTarget('redis-sentinel://:secret@s:26379/m?sentinel_password=secret')).toBe('sentinel s:26379 master m');
  });

  it('is checked with the rest of the configuration, never echoing a password', () => {
    let error: unknown;
    try {
      loadConfig({ env: { AUTHLY_REDIS_URL: 'redis-sentinel://:hunter2@s1:26379?sentinel_password=hunter3' } });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain('redis.url: expected a redis://, rediss://, redis-cluster:// or redis-sentinel:// URL (a sentinel URL names the master');
    expect(message).not.toContain('hunter2');
    expect(message).not.toContain('hunter3');
    expect(loadConfig({ env: { AUTHLY_REDIS_URL: 'redis-cluster://a:7000,b:7001' } }).redis.url).toBe('redis-cluster://a:7000,b:7001');
  });
});
