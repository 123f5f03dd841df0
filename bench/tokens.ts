/**
 * Token-signing micro-benchmark (RSA signing caps token issuance): the keystore
 * signing an access token with each algorithm, 50 signatures in flight, on SQLite `:memory:`,
 * plus Authly's HS256. Prints signatures per second and the ratio to ES256. Not a test.
 *
 * Options: `--seconds <n>` per algorithm (default 2).
 */
import { randomBytes } from 'node:crypto';
import { openStorage } from '../src/app/storage.js';
import type { AsymmetricAlgorithm } from '../src/crypto/generate-key.js';
import { createHmacSigner } from '../src/crypto/hmac-signer.js';
import { cryptoRandom } from '../src/crypto/random.js';
import type { TokenSigner } from '../src/crypto/token-signer.js';
import { systemClock } from '../src/repositories/ports.js';
import { createSigningKeys } from '../src/services/signing-keys.js';
import { option } from './options.js';

const PRAGMAS = { journal_mode: 'WAL', synchronous: 'NORMAL', cache_size: -64000, temp_store: 'MEMORY', busy_timeout: 5000, foreign_keys: true };

async function measure(signer: TokenSigner, algorithm: string, seconds: number): Promise<number> {
  const deadline = performance.now() + seconds * 1000;
  const start = performance.now();
  let done = 0;
  async function loop(): Promise<void> {
    while (performance.now() < deadline) {
      const iat = Math.floor(Date.now() / 1000);
      await signer.sign({ iss: 'https://as.example', sub: 'u', aud: 'https://as.example', jti: cryptoRandom.hex(32), scope: 'openid profile', iat, exp: iat + 3600 }, { typ: 'at+jwt', ...(algorithm === 'HS256' ? {} : { algorithm: algorithm as AsymmetricAlgorithm }) });
      done += 1;
    }
  }
  await Promise.all(Array.from({ length: 50 }, loop));
  return done / ((performance.now() - start) / 1000);
}

/** `npm run bench -- tokens [--seconds n]`. */
export async function run(args: string[]): Promise<void> {
  const seconds = option(args, 'seconds', 2);
  const storage = await openStorage({ backend: 'memory', pragmas: PRAGMAS });
  await storage.migrate();
  const config = {
    keys: { algorithm: 'ES256' as const, rotation_delay_seconds: 0 },
    tokens: { access_token_expire_minutes: 60, refresh_token_expire_days: 7, id_token_expire_minutes: 15, session_expire_minutes: 720 },
  };
  const { keystore } = createSigningKeys({ repository: storage.repositories.signingKeys, masterKey: randomBytes(32), config, clock: systemClock, random: cryptoRandom });
  const results: [string, number][] = [];
  for (const algorithm of ['ES256', 'EdDSA', 'RS256'] as const) {
    await keystore.ensureSigningKey(algorithm);
    results.push([algorithm, await measure(keystore, algorithm, seconds)]);
  }
  results.push(['HS256 (Authly secrets)', await measure(createHmacSigner(randomBytes(32).toString('base64url')), 'HS256', seconds)]);
  await storage.close();
  const base = results[0]![1];
  console.log('tokens: access-token signatures per second (50 in flight)');
  for (const [label, perSecond] of results) {
    console.log(`  ${label.padEnd(24)} ${Math.round(perSecond).toLocaleString('en-US').padStart(10)} /s  (${(perSecond / base).toFixed(2)}× ES256)`);
  }
}
