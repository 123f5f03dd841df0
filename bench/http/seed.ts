/**
 * Prepares the SQLite file our server is measured on: migrations applied, one confidential client
 * and one verified user, written through our own repositories with the master key file the server
 * will read by default (`authly.key` beside the database). Nothing is configured that `authly serve`
 * would not find on its own, except what the caller passes in the environment.
 */
import { loadConfig } from '../../src/config/index.js';
import { openStorage } from '../../src/app/storage.js';
import { storageOptionsFrom } from '../../src/app/storage-options.js';
import { createClientSecrets } from '../../src/crypto/client-secret.js';
import { deriveKey, loadMasterKey, masterKeySourceFrom } from '../../src/crypto/master-key.js';
import { createPasswordHasher } from '../../src/crypto/password-hasher.js';
import { cryptoRandom } from '../../src/crypto/random.js';

/** The registrations every server under test gets, with the plain secrets the load generator sends. */
export interface Fixture {
  client: { id: string; secret: string };
  user: { username: string; password: string; subject: string };
  /** The argon2id hash of the user's password, with the server's parameters. */
  passwordHash: string;
  redirectUri: string;
}

/** A redirect URI nobody listens on: the load generator reads the code off the `Location` header. */
export const REDIRECT_URI = 'http://127.0.0.1:9/callback';

/** Scopes the client is registered with; the workloads ask for `read` (tokens) and `openid` (code flow). */
export const CLIENT_SCOPE = 'openid offline_access read write';

/**
 * Creates `dbPath` (migrated) with the bench client and user. `env` is the environment the server
 * will run with, so the seed opens the very file and master key the server will.
 */
export async function seedDatabase(env: Record<string, string>): Promise<Fixture> {
  const config = loadConfig({ env });
  const masterKey = loadMasterKey(masterKeySourceFrom(config), { random: cryptoRandom });
  const secrets = createClientSecrets(deriveKey(masterKey, 'client-secret-hmac'), cryptoRandom);
  const storage = await openStorage(storageOptionsFrom(config));
  try {
    await storage.migrate();
    const repos = storage.repositories;
    const password = `Bench-${cryptoRandom.token(12)}`;
    const passwordHash = await createPasswordHasher().hash(password);
    const user = await repos.users.create({
      username: 'bench_user',
      email: 'bench_user@example.com',
      passwordHash,
      isVerified: true,
      givenName: 'Bench',
    });
    for (const scopeName of ['read', 'write']) {
      if (!(await repos.scopes.findByName(scopeName))) {
        await repos.scopes.create({ scopeName, description: `bench ${scopeName}`, isDefault: false, isActive: true });
      }
    }
    const secret = secrets.generate();
    const client = await repos.clients.create({
      clientId: 'bench-client',
      clientName: 'Bench client',
      clientType: 'confidential',
      redirectUris: [REDIRECT_URI],
      grantTypes: ['authorization_code', 'refresh_token', 'client_credentials', 'password'],
      responseTypes: ['code'],
      scope: CLIENT_SCOPE,
      clientSecretHash: secrets.hash(secret),
      tokenEndpointAuthMethod: 'client_secret_basic',
    });
    return {
      client: { id: client.clientId, secret },
      user: { username: user.username, password, subject: user.id },
      passwordHash,
      redirectUri: REDIRECT_URI,
    };
  } finally {
    await storage.close();
  }
}
