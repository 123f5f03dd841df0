import { describe, expect, it } from 'vitest';
import { InvalidationLog } from './invalidation-log.js';

describe('InvalidationLog', () => {
  it('refuses a ticket taken before the key was invalidated, and only for that key', () => {
    const log = new InvalidationLog();
    const ticket = log.ticket();
    log.record(['a']);
    expect(log.invalidatedSince('a', ticket)).toBe(true);
    expect(log.invalidatedSince('b', ticket)).toBe(false);
    expect(log.invalidatedSince('a', log.ticket())).toBe(false);
  });

  it('refuses every older ticket after invalidating everything', () => {
    const log = new InvalidationLog();
    const ticket = log.ticket();
    log.recordAll();
    expect(log.invalidatedSince('anything', ticket)).toBe(true);
    expect(log.invalidatedSince('anything', log.ticket())).toBe(false);
  });

  it('stays correct when it forgets keys beyond its limit', () => {
    const log = new InvalidationLog(2);
    const ticket = log.ticket();
    log.record(['a', 'b', 'c']);
    // `a` was forgotten; its invalidation must still refuse the old ticket.
    expect(log.invalidatedSince('a', ticket)).toBe(true);
    const later = log.ticket();
    expect(log.invalidatedSince('a', later)).toBe(false);
  });
});
