import { createHmac, createPublicKey } from 'node:crypto';
import { importJWK, SignJWT } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateSigningKey } from '../../src/crypto/generate-key.js';
import type { AsymmetricAlgorithm } from '../../src/crypto/generate-key.js';
import { createKeyCipher, KeyDecryptionError } from '../../src/crypto/key-encryption.js';
import { deriveKey } from '../../src/crypto/master-key.js';
import { cryptoRandom } from '../../src/crypto/random.js';
import { decodeUnverified } from '../../src/crypto/jwt-verification.js';
import { SigningKeyMissingError } from '../../src/crypto/keystore.js';
import { TokenVerificationError } from '../../src/crypto/token-signer.js';
import type { Storage } from '../../src/storage/storage.js';
import { craftToken, epochSeconds, headerOf, MASTER_KEY, memoryStorage, TestClock, testKeystore } from './helpers.js';

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'];
let clock: TestClock;
let storage: Storage;

beforeEach(async () => {
  clock = new TestClock();
  storage = await memoryStorage(clock);
});
afterEach(() => storage.close());

function claims(lifetimeSeconds = 600) {
  const now = epochSeconds(clock.now());
  return { iss: 'https://issuer.test', sub: 'user-1', aud: 'api', iat: now, exp: now + lifetimeSeconds };
}

describe('Keystore: keys at rest', () => {
  it('creates one signing key on first start and keeps its private part encrypted in the database', async () => {
    const keystore = testKeystore(storage.repositories.signingKeys, clock);
    const key = await keystore.ensureSigningKey();
    const stored = await storage.repositories.signingKeys.findByKid(key.kid);

    const cipher = createKeyCipher(deriveKey(MASTER_KEY, 'signing-key-encryption'), cryptoRandom);
    const privateJwk = JSON.parse(cipher.open(key.kid, stored?.privateKeyData ?? '')) as { d: string };
    expect(privateJwk.d).toMatch(/^[\w-]{43}$/);
    expect(stored?.privateKeyData).toMatch(/^v1\./);
    expect(stored?.privateKeyData).not.toContain(privateJwk.d);
    expect(JSON.stringify(stored?.keyData)).not.toContain(privateJwk.d);
    expect(stored).toMatchObject({ keyType: 'EC', algorithm: 'ES256', curve: 'P-256', isActive: true, keyUse: 'sig' });
    expect(stored?.keyData).toMatchObject({ kty: 'EC', use: 'sig', alg: 'ES256', kid: key.kid, crv: 'P-256' });

    // A restart finds the same key instead of creating another.
    expect((await testKeystore(storage.repositories.signingKeys, clock).ensureSigningKey()).kid).toBe(key.kid);
    expect(await storage.repositories.signingKeys.list()).toHaveLength(1);
  });

  it('fails to start with another master key, with a typed error naming the kid', async () => {
    const key = await testKeystore(storage.repositories.signingKeys, clock).ensureSigningKey();
    const other = testKeystore(storage.repositories.signingKeys, clock, { masterKey: Buffer.alloc(32, 8) });
    await expect(other.ensureSigningKey()).rejects.toBeInstanceOf(KeyDecryptionError);
    await expect(other.ensureSigningKey()).rejects.toMatchObject({ kid: key.kid });
  });

  it('neither publishes nor trusts a key written to the table without the master key', async () => {
    const keystore = testKeystore(storage.repositories.signingKeys, clock);
    await keystore.ensureSigningKey();
    const planted = await generateSigningKey('ES256');
    await storage.repositories.signingKeys.add({
      kid: planted.kid,
      keyData: planted.publicJwk,
      keyType: 'EC',
      algorithm: 'ES256',
      privateKeyData: null,
    });
    const forged = await new SignJWT(claims())
      .setProtectedHeader({ alg: 'ES256', kid: planted.kid })
      .sign(await importJWK(planted.privateJwk, 'ES256'));

    expect((await keystore.jwks()).keys.map((k) => k.kid)).not.toContain(planted.kid);
    await expect(keystore.verify(forged)).rejects.toThrow(new TokenVerificationError('the key is not usable'));
  });
});

describe.each<AsymmetricAlgorithm>(['ES256', 'RS256', 'EdDSA'])('Keystore with %s', (algorithm) => {
  it('signs tokens that verify, with a kid that JWKS publishes without private members', async () => {
    const keystore = testKeystore(storage.repositories.signingKeys, clock, { algorithm });
    await keystore.ensureSigningKey();
    const token = await keystore.sign(claims(), { typ: 'at+jwt' });
    const header = headerOf(token);
    const verified = await keystore.verify(token, { typ: 'at+jwt', issuer: 'https://issuer.test', audience: 'api', currentDate: clock.now() });

    expect(header).toEqual({ alg: algorithm, kid: expect.any(String), typ: 'at+jwt' });
    expect(verified.claims).toMatchObject({ sub: 'user-1' });
    expect(verified.header).toMatchObject({ alg: algorithm, kid: header.kid });
    const { keys } = await keystore.jwks();
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ kid: header.kid, alg: algorithm, use: 'sig' });
    for (const member of PRIVATE_MEMBERS) expect(keys[0]).not.toHaveProperty(member);
    expect(await keystore.algorithms()).toContain(algorithm);
  });
});

/** A keystore with its signing key, one access token it signed, and that key's `kid`. */
async function signed() {
  const keystore = testKeystore(storage.repositories.signingKeys, clock);
  await keystore.ensureSigningKey();
  const token = await keystore.sign(claims(), { typ: 'at+jwt' });
  return { keystore, token, kid: String(headerOf(token).kid) };
}

describe('Keystore.verify rejects', () => {

  it('a token whose payload was changed', async () => {
    const { keystore, token } = await signed();
    const [header, , signature] = token.split('.');
    const payload = Buffer.from(JSON.stringify({ ...claims(), sub: 'admin' })).toString('base64url');
    await expect(keystore.verify(`${header}.${payload}.${signature}`)).rejects.toThrow(TokenVerificationError);
  });

  it('an unsigned token (alg none), even with a known kid', async () => {
    const { keystore, kid } = await signed();
    const unsigned = craftToken({ alg: 'none', kid, typ: 'at+jwt' }, claims());
    await expect(keystore.verify(unsigned)).rejects.toThrow('unsupported "alg" none');
  });

  it('an unknown kid, a missing kid, and another of our keys named as kid', async () => {
    const { keystore, token } = await signed();
    const [, payload, signature] = token.split('.');
    const relabel = (header: object) => `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${payload}.${signature}`;
    await expect(keystore.verify(relabel({ alg: 'ES256', kid: 'nope', typ: 'at+jwt' }))).rejects.toThrow('unknown "kid"');
    await expect(keystore.verify(relabel({ alg: 'ES256', typ: 'at+jwt' }))).rejects.toThrow('no "kid" header');

    // A second ES256 key (clients may ask for ID tokens of another algorithm; here: a rotation).
    const second = await keystore.createKey('ES256');
    await expect(keystore.verify(relabel({ alg: 'ES256', kid: second.kid, typ: 'at+jwt' }))).rejects.toThrow(
      TokenVerificationError,
    );
  });

  it('an HS256 token keyed with the public key (PEM or JWK) under a trusted kid', async () => {
    const { keystore, kid } = await signed();
    const jwk = (await keystore.jwks()).keys[0] ?? { kty: 'EC' };
    const pem = createPublicKey({ key: jwk as never, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString();
    for (const secret of [pem, JSON.stringify(jwk)]) {
      const unsigned = craftToken({ alg: 'HS256', kid, typ: 'at+jwt' }, claims()).slice(0, -1);
      const mac = createHmac('sha256', secret).update(unsigned).digest('base64url');
      await expect(keystore.verify(`${unsigned}.${mac}`)).rejects.toThrow('unsupported "alg" HS256');
    }
    const relabelled = craftToken({ alg: 'RS256', kid, typ: 'at+jwt' }, claims(), 'c2ln');
    await expect(keystore.verify(relabelled)).rejects.toThrow('"alg" does not match the key');
  });

  it('an expired token, judged at the injected time', async () => {
    const { keystore, token } = await signed();
    await expect(keystore.verify(token, { currentDate: clock.advance(601) })).rejects.toThrow(/"exp" claim/);
  });

  it('a token of another type, issuer or audience', async () => {
    const { keystore, token } = await signed();
    const now = clock.now();
    await expect(keystore.verify(token, { typ: 'refresh+jwt', currentDate: now })).rejects.toThrow(TokenVerificationError);
    await expect(keystore.verify(token, { issuer: 'https://evil.test', currentDate: now })).rejects.toThrow(/"iss"/);
    await expect(keystore.verify(token, { audience: 'other', currentDate: now })).rejects.toThrow(/"aud"/);
    await expect(keystore.verify(token, { typ: 'AT+JWT', currentDate: now })).resolves.toBeDefined();
  });

  it('garbage', async () => {
    const { keystore } = await signed();
    await expect(keystore.verify('not.a.jwt')).rejects.toThrow('malformed token');
    await expect(keystore.verify('')).rejects.toThrow(TokenVerificationError);
  });
});

/*
 * Introspection and bearer checks decode a presented token once and pass header and claims to
 * `readRecorded` (after its digest matched a recorded row). Every check of `verify` but the
 * signature must still apply to what was decoded.
 */
describe('Keystore.readRecorded checks the once-decoded header and claims', () => {
  const read = (keystore: Awaited<ReturnType<typeof signed>>['keystore'], token: string, options = {}) =>
    keystore.readRecorded(decodeUnverified(token), { typ: 'at+jwt', currentDate: clock.now(), ...options });

  it('accepts the token as signed and returns its claims', async () => {
    const { keystore, token, kid } = await signed();
    await expect(read(keystore, token)).resolves.toMatchObject({ claims: { sub: 'user-1' }, header: { alg: 'ES256', kid } });
  });

  it('refuses alg none, an alg other than the key\'s, an unknown or missing kid', async () => {
    const { keystore, kid } = await signed();
    await expect(read(keystore, craftToken({ alg: 'none', kid, typ: 'at+jwt' }, claims()))).rejects.toThrow('unsupported "alg" none');
    await expect(read(keystore, craftToken({ alg: 'RS256', kid, typ: 'at+jwt' }, claims(), 'c2ln'))).rejects.toThrow('"alg" does not match the key');
    await expect(read(keystore, craftToken({ alg: 'ES256', kid: 'nope', typ: 'at+jwt' }, claims(), 'c2ln'))).rejects.toThrow('unknown "kid"');
    await expect(read(keystore, craftToken({ alg: 'ES256', typ: 'at+jwt' }, claims(), 'c2ln'))).rejects.toThrow('no "kid" header');
  });

  it('refuses another typ, an expired token, a token not yet valid and one without exp', async () => {
    const { keystore, token, kid } = await signed();
    await expect(read(keystore, token, { typ: 'refresh+jwt' })).rejects.toThrow('"typ"');
    await expect(read(keystore, token, { currentDate: clock.advance(601) })).rejects.toThrow(/"exp" claim/);
    const header = { alg: 'ES256', kid, typ: 'at+jwt' };
    const now = epochSeconds(clock.now());
    await expect(read(keystore, craftToken(header, { ...claims(), nbf: now + 60 }, 'c2ln'))).rejects.toThrow(/"nbf" claim/);
    await expect(read(keystore, craftToken(header, { sub: 'user-1' }, 'c2ln'))).rejects.toThrow(/"exp" claim/);
  });

  it('decodes nothing that is not a compact JWS with JSON header and claims', () => {
    const es256 = Buffer.from('{"alg":"ES256"}').toString('base64url');
    const json = (text: string) => Buffer.from(text).toString('base64url');
    const garbage = ['', 'not.a.jwt', `${es256}.bm90IGpzb24.c2ln`, `${es256}.e30`, `${es256}.e30.c2ln.extra`, `${es256}.${json('null')}.c2ln`, `${es256}.${json('[1]')}.c2ln`, `${json('{"alg":1}')}.e30.c2ln`];
    for (const token of garbage) {
      expect(() => decodeUnverified(token), token).toThrow(TokenVerificationError);
    }
  });
});

describe('Keystore keys for every algorithm', () => {
  it('creates a key per advertised algorithm at start, and JWKS lists the RS256 key first', async () => {
    const keystore = testKeystore(storage.repositories.signingKeys, clock);
    await keystore.ensureSigningKeys();
    const es = await keystore.sign(claims(), { typ: 'JWT' });
    const rs = await keystore.sign(claims(), { typ: 'JWT', algorithm: 'RS256' });
    const ed = await keystore.sign(claims(), { typ: 'JWT', algorithm: 'EdDSA' });

    expect([headerOf(es).alg, headerOf(rs).alg, headerOf(ed).alg]).toEqual(['ES256', 'RS256', 'EdDSA']);
    const { keys } = await keystore.jwks();
    expect(keys.map((k) => k.alg)).toEqual(['RS256', 'ES256', 'EdDSA']);
    expect(keys.map((k) => k.kid)).toEqual([headerOf(rs).kid, headerOf(es).kid, headerOf(ed).kid]);
    for (const token of [es, rs, ed]) await expect(keystore.verify(token, { currentDate: clock.now() })).resolves.toBeDefined();
    await expect(keystore.sign(claims(), { typ: 'JWT', algorithm: 'HS256' })).rejects.toBeInstanceOf(TypeError);
    // A second start finds them all.
    await testKeystore(storage.repositories.signingKeys, clock).ensureSigningKeys();
    expect(await storage.repositories.signingKeys.list()).toHaveLength(3);
  });

  it('never generates a key on the request path: signing without one fails and creates nothing', async () => {
    const keystore = testKeystore(storage.repositories.signingKeys, clock);
    await expect(keystore.sign(claims(), { typ: 'JWT' })).rejects.toBeInstanceOf(SigningKeyMissingError);
    expect(await storage.repositories.signingKeys.list()).toHaveLength(0);
  });

  it('creates a single key when two keystores start at once on an empty database', async () => {
    const one = testKeystore(storage.repositories.signingKeys, clock);
    const two = testKeystore(storage.repositories.signingKeys, clock);
    const [a, b] = await Promise.all([one.ensureSigningKey(), two.ensureSigningKey()]);
    expect(a.kid).toBe(b.kid);
    expect(await storage.repositories.signingKeys.list()).toHaveLength(1);
  });
});
