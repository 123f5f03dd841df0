import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';
import { scrubUrl } from './redaction.js';

function capture(json: boolean | null, isTTY = false) {
  const lines: string[] = [];
  const logger = createLogger({ level: 'info', json }, { write: (line: string) => lines.push(line), isTTY });
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

  it('redacts credentials in logged request parts and in an error\'s properties', () => {
    const { logger, lines } = capture(true);
    logger.warn(
      {
        headers: { authorization: 'Basic secret-h1', 'set-cookie': ['sid=secret-h2'] },
        query: { token: 'secret-q1', state: 'kept-state' },
        params: { code: 'secret-p1' },
        err: Object.assign(new Error('upstream'), { headers: { authorization: 'Bearer secret-e1' }, refresh_token: 'secret-e2' }),
        access_token: 'secret-a1',
        id_token_hint: 'secret-a2',
      },
      'refused',
    );
    const line = lines.join('');
    expect(line).not.toContain('secret-');
    expect(line).toContain('kept-state');
    expect(line).toContain('upstream');
  });

  it('keeps error codes, which are not authorization codes', () => {
    const { logger, lines } = capture(true);
    logger.error({ err: Object.assign(new Error('disk'), { code: 'SQLITE_FULL' }) }, 'write failed');
    expect(lines.join('')).toContain('SQLITE_FULL');
  });

  it('writes one readable line per record when json is false', () => {
    const { logger, lines } = capture(false);
    logger.warn({ port: 8000, password: 'p1' }, 'listening');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] WARN: listening .*"port":8000/);
    expect(lines[0]).toMatch(/\n$/);
    expect(lines[0]).not.toContain('p1');
  });

  it('chooses by the destination when json is null: readable on a terminal, JSON otherwise', () => {
    const terminal = capture(null, true);
    terminal.logger.info('to a person');
    expect(terminal.lines[0]).toContain('INFO');
    expect(terminal.lines[0]).toContain('to a person');
    expect(() => JSON.parse(terminal.lines[0]!)).toThrow();

    const pipe = capture(null, false);
    pipe.logger.info('to a collector');
    expect(JSON.parse(pipe.lines[0]!)).toMatchObject({ level: 30, msg: 'to a collector' });
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
