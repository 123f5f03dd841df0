import { describe, expect, it } from 'vitest';
import { cryptoRandom } from '../../src/crypto/random.js';

describe('cryptoRandom', () => {
  it('hands out ids of the asked length that never repeat, across refills of its pool', () => {
    // 500 × 32 bytes is several pools' worth: a refill that re-served old bytes would repeat an id.
    const hex = Array.from({ length: 500 }, () => cryptoRandom.hex());
    expect(new Set(hex).size).toBe(hex.length);
    for (const id of hex) expect(id).toMatch(/^[0-9a-f]{64}$/);
    const tokens = Array.from({ length: 500 }, () => cryptoRandom.token(24));
    expect(new Set(tokens).size).toBe(tokens.length);
    for (const token of tokens) expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });

  it('serves sizes larger than its pool too', () => {
    expect(cryptoRandom.hex(5000)).toMatch(/^[0-9a-f]{10000}$/);
    expect(cryptoRandom.token(3)).toMatch(/^[A-Za-z0-9_-]{4}$/);
    expect(cryptoRandom.uuid()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('makes time-ordered ids: sorted by the instant given, unique within one millisecond', () => {
    const instants = [1_700_000_000_000, 1_700_000_000_001, 1_800_000_000_000];
    const uuids = instants.map((ms) => cryptoRandom.timeOrderedUuid(ms));
    for (const id of uuids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect([...uuids].sort()).toEqual(uuids);
    // RFC 9562 §5.7: the first 48 bits are the Unix milliseconds.
    expect(Number.parseInt(uuids[0]!.replace('-', '').slice(0, 12), 16)).toBe(instants[0]);

    const jtis = instants.map((ms) => cryptoRandom.timeOrderedHex(ms));
    for (const jti of jtis) expect(jti).toMatch(/^[0-9a-f]{64}$/);
    expect([...jtis].sort()).toEqual(jtis);
    expect(jtis[0]!.slice(0, 12)).toBe(instants[0]!.toString(16).padStart(12, '0'));

    const sameInstant = Array.from({ length: 200 }, () => cryptoRandom.timeOrderedHex(instants[0]!));
    expect(new Set(sameInstant).size).toBe(sameInstant.length);
    const sameInstantUuids = Array.from({ length: 200 }, () => cryptoRandom.timeOrderedUuid(instants[0]!));
    expect(new Set(sameInstantUuids).size).toBe(sameInstantUuids.length);
  });
});
