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
});
