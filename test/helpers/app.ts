import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { createApplication, type Application, type ApplicationDeps } from '../../src/app/application.js';
import { loadConfig } from '../../src/config/index.js';
import type { Client, NewClient } from '../../src/domain/client.js';
import type { User } from '../../src/domain/user.js';
import { createClientSecrets } from '../../src/crypto/client-secret.js';
import { deriveKey } from '../../src/crypto/master-key.js';
import { cryptoRandom } from '../../src/crypto/random.js';
import { createPasswordHasher } from '../../src/crypto/password-hasher.js';
import { createTestDatabase, type TestDatabase } from './postgres.js';

/** Which storage a test server runs on. */
export type TestBackend = 'sqlite' | 'postgresql';

/** A listening server with a seeded user and clients. */
export interface TestServer {
  url: string;
  app: Application;
  user: User;
  password: string;
  /** A confidential client (client_secret_basic) with its plain secret. */
  confidential: { client: Client; secret: string };
  /** A public client (none). */
  publicClient: Client;
  redirectUri: string;
  /** Creates another client; a confidential one gets the returned secret. */
  addClient(input: Partial<NewClient>): Promise<{ client: Client; secret: string | undefined }>;
  close(): Promise<void>;
}

const REDIRECT_URI = 'http://127.0.0.1:9/callback';

/**
 * Starts the real application on 127.0.0.1 with a fresh database (a SQLite file in a temp folder,
 * or a new PostgreSQL database), a generated master key, and a user and two clients. A test
 * that reads the log passes its own `logger`.
 */
export async function startTestServer(backend: TestBackend, env: Record<string, string> = {}, options: { logger?: pino.Logger; onRoute?: ApplicationDeps['onRoute'] } = {}): Promise<TestServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'authly-app-'));
  let pg: TestDatabase | undefined;
  const masterKey = randomBytes(32).toString('base64url');
  const baseEnv: Record<string, string> = {
    AUTHLY_SECRETS__MASTER_KEY: masterKey,
    AUTHLY_KEYS__ROTATION_DELAY_SECONDS: '0',
    AUTHLY_LOGGING__LEVEL: 'silent',
  };
  if (backend === 'postgresql') {
    pg = await createTestDatabase('authly_app');
    baseEnv.DATABASE_URL = pg.url;
  } else {
    baseEnv.AUTHLY_DATABASE__SQLITE__PATH = path.join(dir, 'authly.db');
  }
  const config = loadConfig({ env: { ...baseEnv, ...env }, flags: { host: '127.0.0.1', port: '0' } });
  const logger = options.logger ?? pino({ level: 'silent' });
  const app = await createApplication(config, { logger, version: 'test', ...(options.onRoute ? { onRoute: options.onRoute } : {}) });
  await app.server.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(app.server.server.address() as AddressInfo).port}`;

  const repos = app.container.repositories;
  const secrets = createClientSecrets(deriveKey(Buffer.from(masterKey, 'base64url'), 'client-secret-hmac'), cryptoRandom);
  const password = 'Correct-Horse-9!';
  const user = await repos.users.create({
    username: `alice_${randomBytes(4).toString('hex')}`,
    email: `alice_${randomBytes(4).toString('hex')}@example.com`,
    passwordHash: await createPasswordHasher().hash(password),
    isVerified: true,
    givenName: 'Alice',
  });

  async function addClient(input: Partial<NewClient>) {
    const isPublic = input.clientType === 'public';
    const secret = isPublic ? undefined : secrets.generate();
    const client = await repos.clients.create({
      clientId: `client_${randomBytes(8).toString('hex')}`,
      clientName: 'Test <App> & "Friends"',
      clientType: 'confidential',
      redirectUris: [REDIRECT_URI],
      grantTypes: ['authorization_code', 'refresh_token'],
      clientSecretHash: secret ? secrets.hash(secret) : null,
      tokenEndpointAuthMethod: isPublic ? 'none' : 'client_secret_basic',
      ...input,
    });
    return { client, secret };
  }
  // The authorization endpoint grants only registered scopes: the OIDC ones are registered too.
  const confidential = await addClient({
    grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'],
    scope: 'read write openid profile email phone address offline_access',
  });
  const publicClient = (await addClient({ clientType: 'public' })).client;

  return {
    url,
    app,
    user,
    password,
    confidential: { client: confidential.client, secret: confidential.secret! },
    publicClient,
    redirectUri: REDIRECT_URI,
    addClient,
    async close() {
      await app.close();
      await pg?.drop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
