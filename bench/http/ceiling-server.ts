/**
 * Child process: the framework ceiling. A bare Fastify app with the same form-body parser as our
 * server and one route that parses a urlencoded POST and answers a small JSON, with no logging,
 * no database and no cryptography. No endpoint built on Fastify can answer faster than this.
 */
import type { AddressInfo } from 'node:net';
import fastifyFormbody from '@fastify/formbody';
import Fastify from 'fastify';

const app = Fastify();
await app.register(fastifyFormbody);
app.post('/token', async (request) => {
  const body = request.body as Record<string, string | undefined>;
  return { access_token: 'ceiling', token_type: 'Bearer', expires_in: 3600, scope: body.scope ?? '' };
});
await app.listen({ host: '127.0.0.1', port: 0 });
process.send?.({ port: (app.server.address() as AddressInfo).port });
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
