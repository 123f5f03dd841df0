import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createHmacSigner } from '../../src/crypto/hmac-signer.js';
import { TokenVerificationError } from '../../src/crypto/token-signer.js';
import { craftToken, headerOf, memoryStorage, TestClock, testKeystore } from './helpers.js';

const ACCESS_SECRET = 'access-secret-of-at-least-32-bytes!!';
const REFRESH_SECRET = 'refresh-secret-of-at-least-32-bytes!';
const clock = new TestClock();
const now = Math.floor(clock.now().getTime() / 1000);
const claims = { sub: 'user-1', iat: now, exp: now + 60, type: 'access' };

describe('HS256 signer (Authly JWT_SECRET_KEY compatibility)', () => {
  it('signs HS256 tokens without a kid that verify with the same secret', async () => {
    const signer = createHmacSigner(ACCESS_SECRET);
    const token = await signer.sign(claims, { typ: 'at+jwt' });
    expect(headerOf(token)).toEqual({ alg: 'HS256', typ: 'at+jwt' });
    await expect(signer.verify(token, { typ: 'at+jwt', currentDate: clock.now() })).resolves.toMatchObject({ claims });
    expect(await signer.algorithms()).toEqual(['HS256']);
  });

  it('verifies tokens Authly signed (python-jose: plain HMAC-SHA256, typ JWT)', async () => {
    const unsigned = craftToken({ alg: 'HS256', typ: 'JWT' }, claims).slice(0, -1);
    const token = `${unsigned}.${createHmac('sha256', ACCESS_SECRET).update(unsigned).digest('base64url')}`;
    await expect(createHmacSigner(ACCESS_SECRET).verify(token, { currentDate: clock.now() })).resolves.toMatchObject({ claims });
  });

  it('does not accept a refresh token as an access token (separate secrets)', async () => {
    const refresh = await createHmacSigner(REFRESH_SECRET).sign(claims, { typ: 'refresh+jwt' });
    await expect(createHmacSigner(ACCESS_SECRET).verify(refresh, { currentDate: clock.now() })).rejects.toThrow(
      TokenVerificationError,
    );
  });

  it('rejects alg none, asymmetric tokens, expired tokens and a wrong typ', async () => {
    const signer = createHmacSigner(ACCESS_SECRET);
    await expect(signer.verify(craftToken({ alg: 'none' }, claims))).rejects.toThrow('unsupported "alg" none');

    const storage = await memoryStorage(clock);
    const keystore = testKeystore(storage.repositories.signingKeys, clock);
    await keystore.ensureSigningKey();
    const es256 = await keystore.sign(claims, { typ: 'at+jwt' });
    await expect(signer.verify(es256)).rejects.toThrow('unsupported "alg" ES256');
    await storage.close();

    const token = await signer.sign(claims, { typ: 'at+jwt' });
    await expect(signer.verify(token, { currentDate: new Date((now + 61) * 1000) })).rejects.toThrow(/"exp" claim/);
    await expect(signer.verify(token, { typ: 'refresh+jwt', currentDate: clock.now() })).rejects.toThrow(TokenVerificationError);
  });

  it('refuses a secret shorter than 32 bytes and algorithms other than HS256', async () => {
    expect(() => createHmacSigner('short')).toThrow(TypeError);
    await expect(createHmacSigner(ACCESS_SECRET).sign(claims, { typ: 'JWT', algorithm: 'ES256' })).rejects.toThrow(TypeError);
  });
});
