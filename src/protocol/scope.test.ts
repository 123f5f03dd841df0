import { describe, expect, it } from 'vitest';
import { formatScope, isAdminScope, isSubsetOf, isWellFormedScope, parseRequestedScope, parseScope, SCOPE_LIMITS, scopeSizeProblem } from './scope.js';

describe('scope strings (RFC 6749 §3.3)', () => {
  it('splits on any whitespace, drops duplicates and keeps order', () => {
    expect(parseScope('  openid\tprofile openid  email ')).toEqual(['openid', 'profile', 'email']);
    expect(parseScope(undefined)).toEqual([]);
    expect(formatScope([])).toBeNull();
    expect(formatScope(['a', 'b'])).toBe('a b');
  });

  it('accepts only scope-token characters', () => {
    expect(isWellFormedScope(['admin:users:read', 'x.y-z_1'])).toBe(true);
    expect(isWellFormedScope(['quote"d'])).toBe(false);
    expect(isWellFormedScope(['back\\slash'])).toBe(false);
    expect(isWellFormedScope(['ünïcode'])).toBe(false);
  });

  it('only lets a refresh narrow the granted scope (§6)', () => {
    expect(isSubsetOf(['read'], ['read', 'write'])).toBe(true);
    expect(isSubsetOf(['read', 'admin'], ['read', 'write'])).toBe(false);
  });
});

describe('bounds of a requested scope', () => {
  it('accepts up to the limits and refuses beyond them with invalid_scope', () => {
    const names = (n: number) => Array.from({ length: n }, (_, i) => `s${i}`).join(' ');
    expect(parseRequestedScope(names(SCOPE_LIMITS.maxNames))).toHaveLength(SCOPE_LIMITS.maxNames);
    expect(() => parseRequestedScope(names(SCOPE_LIMITS.maxNames + 1))).toThrow(/too many names/);
    expect(() => parseRequestedScope('x'.repeat(SCOPE_LIMITS.maxNameLength + 1))).toThrow(/longer than/);
    expect(() => parseRequestedScope(`a ${' '.repeat(SCOPE_LIMITS.maxLength)}`)).toThrow(/too long/);
    expect(() => parseRequestedScope('quote"d')).toThrow(/invalid characters/);
    expect(scopeSizeProblem(undefined)).toBeUndefined();
  });

  it('treats admin:* and the seeded admin scope as administrative', () => {
    expect(['admin', 'admin:users:read', 'openid', 'administrator'].map(isAdminScope)).toEqual([true, true, false, false]);
  });
});
