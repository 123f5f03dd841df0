import { describe, expect, it } from 'vitest';
import { formatScope, isSubsetOf, isWellFormedScope, parseScope } from './scope.js';

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
