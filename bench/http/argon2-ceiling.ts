/**
 * Child process: the ceiling of every workload that checks a password. Our password hasher (the
 * server's argon2id parameters) verifying the bench user's password with as many verifications in
 * flight as the load generator has connections, then hashing the same way; prints
 * `{ verifyPerSecond, hashPerSecond }` as JSON.
 *
 * Usage: `node --import tsx bench/http/argon2-ceiling.ts <seconds> <in-flight>`.
 */
import { createPasswordHasher } from '../../src/crypto/password-hasher.js';

const seconds = Number(process.argv[2] ?? 2);
const inFlight = Number(process.argv[3] ?? 32);
const hasher = createPasswordHasher();
const password = 'Bench-password-1';
const stored = await hasher.hash(password);

async function rate(op: () => Promise<unknown>, duration: number): Promise<number> {
  const start = performance.now();
  const deadline = start + duration * 1000;
  let done = 0;
  async function loop(): Promise<void> {
    while (performance.now() < deadline) {
      await op();
      done += 1;
    }
  }
  await Promise.all(Array.from({ length: inFlight }, loop));
  return done / ((performance.now() - start) / 1000);
}

const verifyPerSecond = await rate(async () => {
  if (!(await hasher.verify(password, stored)).ok) throw new Error('argon2 verify failed');
}, seconds);
const hashPerSecond = await rate(() => hasher.hash(password), Math.max(0.5, seconds / 4));
process.stdout.write(`${JSON.stringify({ verifyPerSecond, hashPerSecond })}\n`);
