import { describe, expect, it } from 'vitest';
import { isPublishable, keyStatus, signingKeyFor, signsFrom, supersededKeys } from '../../src/crypto/key-schedule.js';
import type { ScheduledKey } from '../../src/crypto/key-schedule.js';

const T0 = Date.parse('2030-01-01T00:00:00Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000);
const DELAY = 3600;

function key(kid: string, createdSeconds: number, extra: Partial<ScheduledKey> = {}): ScheduledKey {
  return { kid, algorithm: 'ES256', isActive: true, createdAt: at(createdSeconds), expiresAt: null, ...extra };
}

describe('key schedule', () => {
  it('lets the first key sign at once (zero-configuration start)', () => {
    const first = key('a', 0);
    expect(signingKeyFor([first], 'ES256', at(0), DELAY)).toBe(first);
    expect(keyStatus(first, [first], at(0), DELAY)).toBe('signing');
  });

  it('keeps a rotated-in key staged until the delay has passed, then promotes it', () => {
    const old = key('z', -100_000);
    const next = key('a', 0);
    const keys = [old, next];
    expect(signingKeyFor(keys, 'ES256', at(DELAY - 1), DELAY)).toBe(old);
    expect(keyStatus(next, keys, at(DELAY - 1), DELAY)).toBe('staged');
    expect(signsFrom(next, DELAY)).toEqual(at(DELAY));
    expect(signingKeyFor(keys, 'ES256', at(DELAY), DELAY)).toBe(next);
    expect(keyStatus(old, keys, at(DELAY), DELAY)).toBe('published');
    expect(supersededKeys(keys, at(DELAY), DELAY)).toEqual([old]);
    expect(supersededKeys(keys, at(DELAY - 1), DELAY)).toEqual([]);
  });

  it('promotes at once with a zero delay', () => {
    const keys = [key('old', -10), key('new', 0)];
    expect(signingKeyFor(keys, 'ES256', at(0), 0)?.kid).toBe('new');
  });

  it('chooses per algorithm and ignores retired keys', () => {
    const keys = [key('es', 0), key('rs', 5, { algorithm: 'RS256' }), key('gone', 1, { isActive: false, expiresAt: at(100) })];
    expect(signingKeyFor(keys, 'RS256', at(10), DELAY)?.kid).toBe('rs');
    expect(signingKeyFor(keys, 'ES256', at(10), DELAY)?.kid).toBe('es');
    expect(signingKeyFor(keys, 'EdDSA', at(10), DELAY)).toBeUndefined();
  });

  it('publishes a retired key until its expires_at, then reports it expired', () => {
    const retired = key('r', 0, { isActive: false, expiresAt: at(100) });
    expect(isPublishable(retired, at(99))).toBe(true);
    expect(keyStatus(retired, [retired], at(99), DELAY)).toBe('published');
    expect(isPublishable(retired, at(100))).toBe(false);
    expect(keyStatus(retired, [retired], at(100), DELAY)).toBe('expired');
  });
});
