import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/index.js';

describe('protection settings', () => {
  it("keeps the meaning of Authly's admin-API, lockout and bootstrap variables", () => {
    const config = loadConfig({
      env: {
        AUTHLY_ADMIN_API_ENABLED: 'false',
        AUTHLY_ADMIN_API_LOCALHOST_ONLY: 'FALSE',
        AUTHLY_LOCKOUT_MAX_ATTEMPTS: '7',
        AUTHLY_LOCKOUT_DURATION_SECONDS: '60',
        AUTHLY_BOOTSTRAP_ENABLED: 'false',
        AUTHLY_BOOTSTRAP_DEV_MODE: 'true',
      },
    });
    expect(config.admin_api).toMatchObject({ enabled: false, localhost_only: false });
    expect(config.lockout).toMatchObject({ max_attempts: 7, duration_seconds: 60 });
    expect(config.admin).toMatchObject({ bootstrap: false, dev_mode: true });
  });

  it('reads comma-separated address lists from the environment', () => {
    const config = loadConfig({
      env: { AUTHLY_SERVER__TRUSTED_PROXIES: '10.0.0.0/8, 192.0.2.1,fd00::/8', AUTHLY_CORS__ORIGINS: 'https://a.example, https://b.example' },
    });
    expect(config.server.trusted_proxies).toEqual(['10.0.0.0/8', '192.0.2.1', 'fd00::/8']);
    expect(config.cors.origins).toEqual(['https://a.example', 'https://b.example']);
  });

  it('refuses what is not an address or CIDR block', () => {
    for (const bad of ['example.com', '10.0.0.0/33', '::1/129', '1.2.3.4/8/1']) {
      expect(() => loadConfig({ env: { AUTHLY_SERVER__TRUSTED_PROXIES: bad } }), bad).toThrow(ConfigError);
    }
  });
});
