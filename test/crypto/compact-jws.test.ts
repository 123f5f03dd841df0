import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { signCompactJws } from '../../src/crypto/compact-jws.js';

/** What node:crypto signs must verify with jose (a JOSE implementation we did not write). */
describe('compact JWS through node:crypto', () => {
  const claims = { iss: 'https://issuer.example', sub: 'alice', iat: 1_700_000_000, exp: 4_000_000_000, jti: 'j1', scope: 'read write' };

  const asymmetric = [
    { alg: 'ES256' as const, pair: () => generateKeyPairSync('ec', { namedCurve: 'P-256' }) },
    { alg: 'RS256' as const, pair: () => generateKeyPairSync('rsa', { modulusLength: 2048 }) },
    { alg: 'EdDSA' as const, pair: () => generateKeyPairSync('ed25519') },
  ];

  for (const { alg, pair } of asymmetric) {
    it(`signs ${alg} that jose verifies with the public key, with the header as given`, async () => {
      const { privateKey, publicKey } = pair();
      const token = signCompactJws({ alg, kid: 'k1', typ: 'at+jwt' }, claims, privateKey);
      const { payload, protectedHeader } = await jwtVerify(token, publicKey, { algorithms: [alg], typ: 'at+jwt' });
      expect(payload).toEqual(claims);
      expect(protectedHeader).toEqual({ alg, kid: 'k1', typ: 'at+jwt' });
      expect(Object.keys(decodeProtectedHeader(token))).toEqual(['alg', 'kid', 'typ']);
    });

    it(`makes a ${alg} signature that fails under another key or a changed payload`, async () => {
      const { privateKey, publicKey } = pair();
      const token = signCompactJws({ alg, kid: 'k1', typ: 'at+jwt' }, claims, privateKey);
      await expect(jwtVerify(token, pair().publicKey, { algorithms: [alg] })).rejects.toThrow();
      const [header, , signature] = token.split('.');
      const forged = `${header}.${Buffer.from(JSON.stringify({ ...claims, sub: 'mallory' })).toString('base64url')}.${signature}`;
      await expect(jwtVerify(forged, publicKey, { algorithms: [alg] })).rejects.toThrow('signature verification failed');
    });
  }

  it('signs HS256 that jose verifies with the secret, and not with another', async () => {
    const secret = randomBytes(32);
    const token = signCompactJws({ alg: 'HS256', typ: 'refresh+jwt' }, claims, secret);
    expect((await jwtVerify(token, secret, { algorithms: ['HS256'], typ: 'refresh+jwt' })).payload).toEqual(claims);
    await expect(jwtVerify(token, randomBytes(32), { algorithms: ['HS256'] })).rejects.toThrow();
  });
});
