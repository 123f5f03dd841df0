/**
 * The `memory` backend's server for the memory table. A `:memory:` database exists only inside
 * its process, so `authly db seed` cannot fill it: this script starts the application exactly as
 * `authly serve` does (configuration from the environment), creates the seed's users and tokens
 * through the application's own repositories, collects the garbage of that fill, then listens
 * and prints `listening <port>`. Run from its transpiled copy, against `dist/`, never with a
 * TypeScript loader in the process (it would weigh in the RSS).
 *
 * Arguments: `<users> <seed>`.
 */
import type { AddressInfo } from 'node:net';
import { createApplication } from '../../src/app/application.js';
import { loadConfig } from '../../src/config/index.js';
import { createPasswordHasher } from '../../src/crypto/password-hasher.js';
import { createLogger } from '../../src/log/logger.js';
import { fillThroughRepositories } from './fill.js';

const users = Number(process.argv[2] ?? 0);
const seed = Number(process.argv[3] ?? 1);
const config = loadConfig({ flags: {} });
const application = await createApplication(config, { logger: createLogger(config.logging, process.stderr), version: 'bench' });
if (users > 0) {
  const passwordHash = await createPasswordHasher().hash('seed-password-1');
  await fillThroughRepositories(application.container.repositories, { users, tokensPerUser: 2, passwordHash, seed, now: new Date() });
}
// The fill's garbage is not the server's: a server filled by `authly db seed` never held it.
(globalThis as { gc?: () => void }).gc?.();
await application.server.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`listening ${(application.server.server.address() as AddressInfo).port}\n`);
process.once('SIGTERM', () => {
  void application.close().then(() => process.exit(0));
});
