import { describe, expect, it } from 'vitest';
import { ConfigError, formatProblem, loadConfig } from '../../src/config/index.js';
import type { LoadConfigOptions } from '../../src/config/index.js';
import { missingPath, writeTempFile } from './temp-file.js';

function problemsOf(options: LoadConfigOptions) {
  try {
    loadConfig(options);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected loadConfig to throw');
}

describe('configuration problems', () => {
  it('lists every problem at once with path, expectation, value and source', () => {
    const file = writeTempFile('three.yaml', 'database:\n  backend: mysql\nserver:\n  port: -1\nfoo: 1\n');
    const problems = problemsOf({ env: {}, flags: { config: file } });
    expect(problems).toHaveLength(3);
    expect(problems).toEqual(
      expect.arrayContaining([
        { path: 'database.backend', expected: 'one of sqlite|memory|postgresql', got: '"mysql"', source: file },
        { path: 'server.port', expected: 'number >= 0', got: '-1', source: file },
        expect.objectContaining({ path: 'foo', got: '1', source: file }),
      ]),
    );
    expect(problems.find((p) => p.path === 'foo')?.expected).toMatch(/known key/);
  });

  it('names the environment variable a bad value came from', () => {
    const [problem] = problemsOf({ env: { AUTHLY_DATABASE__BACKEND: 'mysql' } });
    expect(problem).toBeDefined();
    expect(formatProblem(problem!)).toBe(
      'database.backend: expected one of sqlite|memory|postgresql, got "mysql" (from AUTHLY_DATABASE__BACKEND)',
    );
  });

  it('reports unknown keys set through the environment', () => {
    const problems = problemsOf({ env: { AUTHLY_SERVER__PROT: '80' } });
    expect(problems).toEqual([expect.objectContaining({ path: 'server.prot', source: 'AUTHLY_SERVER__PROT' })]);
  });

  it('reports a value that cannot be coerced to a number', () => {
    const problems = problemsOf({ env: {}, flags: { port: 'eighty' } });
    expect(problems).toEqual([{ path: 'server.port', expected: 'number', got: '"eighty"', source: '--port' }]);
  });

  it('rejects a DATABASE_URL that is not a PostgreSQL URL, hiding its password', () => {
    const problems = problemsOf({ env: { DATABASE_URL: 'mysql://root:hunter2@db/authly' } });
    expect(problems).toEqual([expect.objectContaining({ path: 'database.postgresql.url', source: 'DATABASE_URL' })]);
    expect(problems[0]?.got).not.toContain('hunter2');
  });

  it('requires redis.url when the cache backend is redis or tiered', () => {
    const problems = problemsOf({ env: { AUTHLY_CACHE__BACKEND: 'redis' } });
    expect(problems).toEqual([expect.objectContaining({ path: 'redis.url', got: 'null (the default)' })]);
  });

  it('lists the redis requirement alongside unrelated problems', () => {
    const problems = problemsOf({ env: { AUTHLY_CACHE__BACKEND: 'tiered', AUTHLY_SERVER__PORT: '-5' } });
    expect(problems.map((p) => p.path).sort()).toEqual(['redis.url', 'server.port']);
  });

  it('rejects eviction policies other than lru', () => {
    const problems = problemsOf({ env: { AUTHLY_CACHE__EVICTION: 'lfu' } });
    expect(problems).toEqual([expect.objectContaining({ path: 'cache.eviction', expected: 'one of lru' })]);
  });

  it('reports a YAML syntax error with its line, together with environment problems', () => {
    const file = writeTempFile('broken.yaml', 'server:\n  port: [8000\n');
    const problems = problemsOf({ env: { AUTHLY_CONFIG: file, AUTHLY_DATABASE__BACKEND: 'oracle' } });
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatchObject({ expected: 'valid YAML', source: 'AUTHLY_CONFIG' });
    expect(problems[0]?.path).toMatch(new RegExp(`^${file.replace(/[.\\]/g, '\\$&')}:\\d+:\\d+$`));
    expect(problems[1]).toMatchObject({ path: 'database.backend', got: '"oracle"' });
  });

  it('reports a file whose top level is not a mapping', () => {
    const file = writeTempFile('list.yaml', '- server\n- database\n');
    expect(problemsOf({ env: {}, flags: { config: file } })).toEqual([
      expect.objectContaining({ path: file, got: 'a list', source: '--config' }),
    ]);
  });

  it('reports a missing file that was named explicitly', () => {
    const file = missingPath('nowhere.yaml');
    expect(problemsOf({ env: {}, flags: { config: file } })).toEqual([
      { path: file, expected: 'a readable YAML config file', got: 'no such file', source: '--config' },
    ]);
  });

  it('puts every problem in the error message, one per line', () => {
    const error = (() => {
      try {
        return loadConfig({ env: { AUTHLY_CACHE__TTL: '0', AUTHLY_LOGGING__LEVEL: 'loud' } });
      } catch (e) {
        return e as ConfigError;
      }
    })();
    expect(String((error as ConfigError).message).split('\n')).toEqual([
      'invalid configuration (2 problems):',
      expect.stringMatching(/^ {2}- cache\.ttl: expected number >= 1, got "0" \(from AUTHLY_CACHE__TTL\)$/),
      expect.stringMatching(/^ {2}- logging\.level: expected one of fatal\|.*, got "loud"/),
    ]);
  });
});

describe('secrets.master_key', () => {
  it('is checked with the rest of the configuration, one line each, the value masked', () => {
    const problems = problemsOf({ env: { AUTHLY_SECRETS__MASTER_KEY: 'too-short', AUTHLY_SERVER__PORT: '-1' } });
    expect(problems.map(formatProblem)).toEqual([
      'server.port: expected number >= 0, got "-1" (from AUTHLY_SERVER__PORT)',
      'secrets.master_key: expected the base64url encoding of 32 bytes (43 characters), got "***" (from AUTHLY_SECRETS__MASTER_KEY)',
    ]);
  });

  it('accepts 32 bytes in base64url, with or without padding', () => {
    const key = Buffer.alloc(32, 7).toString('base64url');
    expect(loadConfig({ env: { AUTHLY_SECRETS__MASTER_KEY: key } }).secrets.master_key).toBe(key);
    expect(() => loadConfig({ env: { AUTHLY_SECRETS__MASTER_KEY: `${key}=` } })).not.toThrow();
    // Standard base64 (`+`, `/`) is not base64url.
    expect(problemsOf({ env: { AUTHLY_SECRETS__MASTER_KEY: Buffer.alloc(32, 0xfb).toString('base64') } })).toHaveLength(1);
  });
});
