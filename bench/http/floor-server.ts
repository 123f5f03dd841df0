/**
 * Child process: the floor of a durable-JWT server. The least any Fastify server can do and still
 * keep the rules this server keeps for client credentials and introspection, with nothing else:
 *
 * - `POST /token`: Basic credentials (RFC 6749 §2.3.1), the secret compared as an HMAC digest in
 *   constant time; an ES256 JWT signed with `crypto.sign` (on our signing thread when the server
 *   would use one: `keys.signing_thread`); the SHA-256 digest of the token
 *   inserted into SQLite (WAL, `synchronous=NORMAL`) in one transaction per event-loop turn, the
 *   answer sent only after its row is committed;
 * - `POST /introspect`: the same client check, the row found by `jti`, the digest of the presented
 *   string compared with the recorded one, and `active` from the row's expiry (RFC 7662 §2.2).
 *
 * No logging, no hooks, no metrics, no audit, no cache, no scope or grant checks, one client. What
 * this serves per second bounds what a server with our token format and durability can serve on
 * the machine, whatever else it does.
 */
import crypto from 'node:crypto';
import type { AddressInfo } from 'node:net';
import fastifyFormbody from '@fastify/formbody';
import Database from 'better-sqlite3';
import Fastify from 'fastify';
import type { SigningThread } from '../../src/crypto/signing-thread.js';

const { dbPath, client, signingThread } = JSON.parse(process.argv[2] ?? '{}') as { dbPath: string; client: { id: string; secret: string }; signingThread?: string };
const macKey = crypto.randomBytes(32);
const mac = (value: string) => crypto.createHmac('sha256', macKey).update(value).digest();
const secretMac = mac(client.secret);
const { privateKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
const header = Buffer.from(JSON.stringify({ alg: 'ES256', typ: 'at+jwt', kid: 'floor' })).toString('base64url');
/** Our signing thread (`dist/crypto/signing-thread.js`) when given: signatures off the event loop, as the server makes them. */
const offThread = signingThread ? new ((await import(signingThread)) as { SigningThread: typeof SigningThread }).SigningThread() : undefined;
const signature = (input: string): Promise<string> | string =>
  offThread ? offThread.sign('ES256', input, privateKey) : crypto.sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url');

const db = new Database(dbPath);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.exec('CREATE TABLE IF NOT EXISTS tokens (jti TEXT PRIMARY KEY, digest BLOB NOT NULL, client_id TEXT NOT NULL, expires_at INTEGER NOT NULL)');
const insert = db.prepare('INSERT INTO tokens (jti, digest, client_id, expires_at) VALUES (?, ?, ?, ?)');
const select = db.prepare<[string], { digest: Buffer; expires_at: number }>('SELECT digest, expires_at FROM tokens WHERE jti = ?');

/** Rows waiting for this turn's commit, and the answers waiting for them. */
let pending: { row: [string, Buffer, string, number]; done: () => void }[] = [];
const commitAll = db.transaction((rows: typeof pending) => {
  for (const { row } of rows) insert.run(...row);
});
function record(row: [string, Buffer, string, number]): Promise<void> {
  return new Promise((resolve) => {
    if (pending.length === 0) setImmediate(flush);
    pending.push({ row, done: resolve });
  });
}
function flush(): void {
  const rows = pending;
  pending = [];
  commitAll(rows);
  for (const { done } of rows) done();
}

function authenticated(authorization: string | undefined): boolean {
  if (!authorization?.startsWith('Basic ')) return false;
  const decoded = Buffer.from(authorization.slice(6), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return false;
  const id = decodeURIComponent(decoded.slice(0, colon));
  const secret = decodeURIComponent(decoded.slice(colon + 1));
  return id === client.id && crypto.timingSafeEqual(mac(secret), secretMac);
}

const app = Fastify();
await app.register(fastifyFormbody);
app.post('/token', async (request, reply) => {
  const body = request.body as Record<string, string | undefined>;
  if (!authenticated(request.headers.authorization)) return reply.code(401).send({ error: 'invalid_client' });
  const now = Math.floor(Date.now() / 1000);
  const jti = crypto.randomUUID();
  const claims = { iss: 'http://floor', sub: client.id, aud: 'http://floor', client_id: client.id, scope: body.scope ?? '', iat: now, exp: now + 3600, jti };
  const input = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  const token = `${input}.${await signature(input)}`;
  await record([jti, crypto.createHash('sha256').update(token).digest(), client.id, claims.exp]);
  void reply.header('cache-control', 'no-store');
  return { access_token: token, token_type: 'Bearer', expires_in: 3600, scope: claims.scope };
});
app.post('/introspect', async (request, reply) => {
  const body = request.body as Record<string, string | undefined>;
  if (!authenticated(request.headers.authorization)) return reply.code(401).send({ error: 'invalid_client' });
  const token = body.token ?? '';
  const payload = token.split('.')[1];
  let jti: unknown;
  try {
    jti = (JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8')) as { jti?: unknown }).jti;
  } catch {
    return { active: false };
  }
  const row = typeof jti === 'string' ? select.get(jti) : undefined;
  const digest = crypto.createHash('sha256').update(token).digest();
  if (!row || !crypto.timingSafeEqual(row.digest, digest) || row.expires_at <= Date.now() / 1000) return { active: false };
  return { active: true, client_id: client.id, exp: row.expires_at, token_type: 'Bearer' };
});
await app.listen({ host: '127.0.0.1', port: 0 });
process.send?.({ port: (app.server.address() as AddressInfo).port });
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
