import { afterEach, describe, expect, it } from 'vitest';
import { openStorage } from '../../src/app/storage.js';
import { generateSigningKey } from '../../src/crypto/generate-key.js';
import type { NewSigningKey } from '../../src/domain/signing-key.js';
import type { Storage } from '../../src/storage/storage.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';
import { hasPostgres } from '../helpers/services.js';

/*
 * `addFirst` is the one database decision behind "one first key per algorithm": many inserts
 * racing from two connection pools (two instances) on an empty table leave exactly one row.
 */
const opened: Storage[] = [];
let database: TestDatabase | undefined;
afterEach(async () => {
  for (const storage of opened.splice(0)) await storage.close();
  await database?.drop();
  database = undefined;
});

async function candidate(): Promise<NewSigningKey> {
  const key = await generateSigningKey('ES256');
  return { kid: key.kid, keyData: key.publicJwk, keyType: key.keyType, algorithm: 'ES256', curve: key.curve, privateKeyData: 'sealed' };
}

describe.skipIf(!hasPostgres)('SigningKeyRepository.addFirst on PostgreSQL', () => {
  it('inserts one key of an algorithm however many instances race to add the first', async () => {
    database = await createTestDatabase('authly_first_key');
    const open = async () => {
      const storage = await openStorage({ backend: 'postgresql', connectionString: database!.url, poolSize: 5 });
      opened.push(storage);
      return storage;
    };
    const one = await open();
    await one.migrate();
    const two = await open();
    const keys = await Promise.all(Array.from({ length: 10 }, () => candidate()));

    const results = await Promise.all(keys.map((key, i) => (i % 2 === 0 ? one : two).repositories.signingKeys.addFirst(key)));

    expect(results.filter((row) => row !== undefined)).toHaveLength(1);
    expect(await one.repositories.signingKeys.list()).toHaveLength(1);
    // Another algorithm is decided on its own.
    const rsa = await generateSigningKey('RS256');
    const added = await two.repositories.signingKeys.addFirst({ kid: rsa.kid, keyData: rsa.publicJwk, keyType: 'RSA', algorithm: 'RS256', keySize: 2048 });
    expect(added?.kid).toBe(rsa.kid);
  });
});
