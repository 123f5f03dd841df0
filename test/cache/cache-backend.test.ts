import { describe, expect, it } from 'vitest';
import { cacheBackendOf } from '../../src/app/cache-backend.js';
import { loadConfig } from '../../src/config/index.js';

describe('cache.backend auto', () => {
  const backendFor = (env: Record<string, string>) => cacheBackendOf(loadConfig({ env }));

  it('is the default', () => {
    expect(loadConfig({ env: {} }).cache.backend).toBe('auto');
  });

  it('is the in-process cache on SQLite (file or :memory:) without Redis', () => {
    expect(backendFor({ AUTHLY_DATABASE__BACKEND: 'sqlite' })).toBe('memory');
    expect(backendFor({ AUTHLY_DATABASE__BACKEND: 'memory' })).toBe('memory');
  });

  it('is tiered whenever Redis is configured, whatever the database', () => {
    expect(backendFor({ AUTHLY_DATABASE__BACKEND: 'sqlite', AUTHLY_REDIS_URL: 'redis://127.0.0.1:6379' })).toBe('tiered');
    expect(backendFor({ AUTHLY_DATABASE__BACKEND: 'postgresql', AUTHLY_REDIS_URL: 'redis://127.0.0.1:6379' })).toBe('tiered');
  });

  it('is off on PostgreSQL without Redis: another instance’s writes could not be seen', () => {
    expect(backendFor({ AUTHLY_DATABASE__BACKEND: 'postgresql' })).toBe('none');
  });

  it('leaves an explicit choice alone', () => {
    expect(backendFor({ AUTHLY_DATABASE__BACKEND: 'postgresql', AUTHLY_CACHE__BACKEND: 'memory' })).toBe('memory');
    expect(backendFor({ AUTHLY_DATABASE__BACKEND: 'sqlite', AUTHLY_CACHE__BACKEND: 'none' })).toBe('none');
  });
});
