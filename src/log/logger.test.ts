import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';
import { scrubUrl } from './redaction.js';

function capture(json: boolean) {
  const lines: string[] = [];
  const logger = createLogger({ level: 'info', json }, { write: (line: string) => lines.push(line) });
  return { logger, lines };
}

describe('createLogger', () => {
  it('redacts credentials at the top level and in nested request data', () => {
    const { logger, lines } = capture(true);
    logger.info(
      {
        password: 'p1',
        client_secret: 's1',
        req: { headers: { authorization: 'Bearer t1', cookie: 'sid=c1' }, body: { code: 'c0de', refresh_token: 'r1' } },
        body: { code_verifier: 'v1', access_token: 'a1', id_token: 'i1' },
      },
      'login',
    );
    const line = lines.join('');
    for (const secret of ['p1', 's1', 'Bearer t1', 'sid=c1', 'c0de', 'r1', 'v1', 'a1', 'i1']) {
      expect(line).not.toContain(`"${secret}"`);
    }
    expect(line).toContain('[Redacted]');
  });

  it('keeps error codes, which are not authorization codes', () => {
    const { logger, lines } = capture(true);
    logger.error({ err: Object.assign(new Error('disk'), { code: 'SQLITE_FULL' }) }, 'write failed');
    expect(lines.join('')).toContain('SQLITE_FULL');
  });

  it('writes "time LEVEL msg key=value" lines when json is false', () => {
    const { logger, lines } = capture(false);
    logger.warn({ port: 8000 }, 'listening');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT\S+Z WARN {2}listening port=8000\n$/);
  });
});

describe('scrubUrl', () => {
  it('hides credential query parameters and keeps the others', () => {
    expect(scrubUrl('/cb?code=abc&state=xyz&id_token_hint=eyJ')).toBe(
      '/cb?code=[Redacted]&state=xyz&id_token_hint=[Redacted]',
    );
    expect(scrubUrl('/health')).toBe('/health');
  });
});
