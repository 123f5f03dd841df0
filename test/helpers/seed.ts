import { randomBytes } from 'node:crypto';
import { openStorage } from '../../src/app/storage.js';
import { createClientSecrets } from '../../src/crypto/client-secret.js';
import { deriveKey } from '../../src/crypto/master-key.js';
import { cryptoRandom } from '../../src/crypto/random.js';
import type { StorageOptions } from '../../src/storage/storage.js';
import { makeClient } from '../storage/fixtures.js';

/** A database prepared for a spawned `authly serve`: migrated, with a client_credentials client. */
export interface SeededDatabase {
  /** Give the server this master key, or it cannot check the client's secret. */
  masterKey: string;
  /** `Authorization: Basic …` of the seeded confidential client. */
  basic: string;
}

/**
 * Migrates the database and adds a confidential client allowed `client_credentials` with scope
 * `read`, so a test can load a separately started server with cheap token requests.
 */
export async function seedDatabase(options: StorageOptions): Promise<SeededDatabase> {
  const masterKey = randomBytes(32).toString('base64url');
  const storage = await openStorage(options);
  try {
    await storage.migrate();
    const secrets = createClientSecrets(deriveKey(Buffer.from(masterKey, 'base64url'), 'client-secret-hmac'), cryptoRandom);
    const secret = secrets.generate();
    const client = await storage.repositories.clients.create(
      makeClient({ clientSecretHash: secrets.hash(secret), grantTypes: ['client_credentials'], scope: 'read' }),
      [],
    );
    return { masterKey, basic: `Basic ${Buffer.from(`${client.clientId}:${secret}`).toString('base64')}` };
  } finally {
    await storage.close();
  }
}

/** A client_credentials token request against `url` (no body parsing: the caller reads it). */
export function tokenRequest(url: string, basic: string): Promise<Response> {
  return fetch(`${url}/api/v1/oauth/token`, {
    method: 'POST',
    headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials&scope=read',
  });
}
