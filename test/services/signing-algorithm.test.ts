import { describe, expect, it } from 'vitest';
import { signingAlgorithm } from '../../src/services/token-issuer.js';

const segment = (header: object) => Buffer.from(JSON.stringify(header)).toString('base64url');

describe('signingAlgorithm (the alg reported in token.issued audit events and metrics)', () => {
  it('reads each token\'s own header, also when tokens of several keys alternate', () => {
    const es = `${segment({ alg: 'ES256', kid: 'a', typ: 'at+jwt' })}.e30.c2ln`;
    const rs = `${segment({ alg: 'RS256', kid: 'b', typ: 'at+jwt' })}.e30.c2ln`;
    const hs = `${segment({ alg: 'HS256', typ: 'at+jwt' })}.e30.c2ln`;
    for (const [token, alg] of [[es, 'ES256'], [es, 'ES256'], [rs, 'RS256'], [es, 'ES256'], [hs, 'HS256'], [hs, 'HS256'], [rs, 'RS256']]) {
      expect(signingAlgorithm(token!), alg).toBe(alg);
    }
  });

  it('answers unknown for a header that is not JSON or has no string alg, then reads the next one again', () => {
    expect(signingAlgorithm('garbage')).toBe('unknown');
    expect(signingAlgorithm(`${segment({ alg: 7 })}.e30.c2ln`)).toBe('unknown');
    expect(signingAlgorithm(`${segment({ alg: 'EdDSA' })}.e30.c2ln`)).toBe('EdDSA');
    expect(signingAlgorithm('garbage.e30.c2ln')).toBe('unknown');
  });
});
