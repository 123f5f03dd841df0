import { generateKeyPairSync } from 'node:crypto';
import { compactVerify } from 'jose';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { jwsSignature, signingInput } from '../../src/crypto/compact-jws.js';
import { SigningThread, SigningThreadError } from '../../src/crypto/signing-thread.js';

/** Signatures made on the worker thread must be the ones the event loop would make: jose verifies them. */
describe('SigningThread', () => {
  const threads: SigningThread[] = [];
  const started = (options: ConstructorParameters<typeof SigningThread>[0] = {}) => {
    const thread = new SigningThread(options);
    threads.push(thread);
    return thread;
  };
  afterEach(async () => {
    await Promise.all(threads.splice(0).map((t) => t.close()));
  });

  const keys = {
    ES256: generateKeyPairSync('ec', { namedCurve: 'P-256' }),
    RS256: generateKeyPairSync('rsa', { modulusLength: 2048 }),
    EdDSA: generateKeyPairSync('ed25519'),
  };
  const token = (alg: keyof typeof keys, n: number) => signingInput({ alg, kid: `k-${alg}`, typ: 'at+jwt' }, { sub: 'alice', jti: `j${n}`, exp: 4_000_000_000 });

  it('signs ES256, RS256 and EdDSA tokens, many at once, that verify with the public key', async () => {
    const thread = started();
    const inputs = (Object.keys(keys) as (keyof typeof keys)[]).flatMap((alg) => Array.from({ length: 40 }, (_, n) => ({ alg, input: token(alg, n) })));
    const signed = await Promise.all(inputs.map(({ alg, input }) => thread.sign(alg, input, keys[alg].privateKey).then((s) => `${input}.${s}`)));
    for (const [i, jws] of signed.entries()) {
      const { alg, input } = inputs[i]!;
      const { payload, protectedHeader } = await compactVerify(jws, keys[alg].publicKey, { algorithms: [alg] });
      expect(protectedHeader.alg).toBe(alg);
      expect(`${jws.split('.')[0]}.${Buffer.from(payload).toString('base64url')}`).toBe(input);
    }
    // Each signature belongs to its own input: swapping two fails verification.
    const [first, second] = signed;
    const swapped = `${first!.split('.').slice(0, 2).join('.')}.${second!.split('.')[2]}`;
    await expect(compactVerify(swapped, keys.ES256.publicKey, { algorithms: ['ES256'] })).rejects.toThrow();
  });

  it('signs what it still holds on the event loop when closed, and everything after', async () => {
    const thread = started();
    const pending = Array.from({ length: 30 }, (_, n) => thread.sign('ES256', token('ES256', n), keys.ES256.privateKey));
    await thread.close();
    const later = await thread.sign('ES256', token('ES256', 99), keys.ES256.privateKey);
    for (const [n, signature] of [...(await Promise.all(pending)), later].entries()) {
      const input = token('ES256', n === 30 ? 99 : n);
      await expect(compactVerify(`${input}.${signature}`, keys.ES256.publicKey, { algorithms: ['ES256'] })).resolves.toBeDefined();
    }
  });

  it('refuses a key that cannot make the signature, as signing on the event loop does', async () => {
    const thread = started();
    const input = token('ES256', 1);
    // An Ed25519 key signs the message itself, never a SHA-256 digest of it (RFC 8037 §3.1).
    expect(() => jwsSignature('ES256', input, keys.EdDSA.privateKey)).toThrow();
    await expect(thread.sign('ES256', input, keys.EdDSA.privateKey)).rejects.toBeInstanceOf(SigningThreadError);
    // The thread goes on signing for the other requests.
    const signature = await thread.sign('ES256', token('ES256', 2), keys.ES256.privateKey);
    await expect(compactVerify(`${token('ES256', 2)}.${signature}`, keys.ES256.publicKey, { algorithms: ['ES256'] })).resolves.toBeDefined();
  });

  it('signs on the event loop what a worker that died held, and everything after, and says so once', async () => {
    // A worker that dies on its first batch, as a crashed thread would.
    const dying = () => new Worker("require('node:worker_threads').parentPort.on('message', (m) => { if (m.kind === 'jobs') process.exit(3); });", { eval: true });
    const warn = vi.fn();
    const thread = started({ spawn: dying, logger: { warn, info: vi.fn(), error: vi.fn(), debug: vi.fn() } as never });
    const signatures = await Promise.all(Array.from({ length: 10 }, (_, n) => thread.sign('ES256', token('ES256', n), keys.ES256.privateKey)));
    const later = await thread.sign('ES256', token('ES256', 10), keys.ES256.privateKey);
    for (const [n, signature] of [...signatures, later].entries()) {
      await expect(compactVerify(`${token('ES256', n)}.${signature}`, keys.ES256.publicKey, { algorithms: ['ES256'] })).resolves.toBeDefined();
    }
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]?.[0]).toMatchObject({ exitCode: 3 });
  });
});
