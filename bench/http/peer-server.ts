/**
 * Child process: node-oidc-provider (the peer a Node team would pick) configured as our server is
 * for the bench: one confidential `client_secret_basic` client allowed `client_credentials`,
 * `refresh_token` and `authorization_code`, the same user and argon2id password hash, client
 * credentials and introspection enabled, refresh tokens issued to that client and rotated on every
 * use (as ours are), and a login page that takes the password and the consent in one form (as
 * ours does). A second client, identical but for its id, gets ES256 JWT access tokens instead of
 * opaque ones, so both formats can be compared.
 *
 * The bench transpiles this file to JavaScript and runs `node peer-server.js '<PeerConfig JSON>'`;
 * it listens on a free loopback port and reports it over IPC (`{ port }`).
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { verify as argon2Verify } from '@node-rs/argon2';
import Provider, { type ClientMetadata, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import { sqliteAdapter } from './peer-sqlite-adapter.js';

/** What the parent passes in. */
export interface PeerConfig {
  adapter: 'memory' | 'sqlite';
  /** SQLite file for the `sqlite` adapter. */
  dbPath?: string;
  client: { id: string; secret: string };
  /** The same registration, but its access tokens are JWTs. */
  jwtClient: { id: string; secret: string };
  user: { username: string; subject: string; passwordHash: string };
  redirectUri: string;
}

const JWT_RESOURCE = 'urn:authly-bench:api';

const config = JSON.parse(process.argv[2] ?? '{}') as PeerConfig;

/** An RSA key for RS256 ID tokens (node-oidc-provider's and our default) and a P-256 key for ES256 JWT access tokens. */
function signingKeys() {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
  return [
    { ...rsa, use: 'sig', alg: 'RS256', kid: 'rs' },
    { ...ec, use: 'sig', alg: 'ES256', kid: 'es' },
  ];
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function loginPage(uid: string, clientName: string, scope: string, error?: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>Sign in</title></head><body>
<h1>Sign in to ${escapeHtml(clientName)}</h1>
<p>${escapeHtml(clientName)} asks for: ${escapeHtml(scope)}</p>
${error ? `<p role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/interaction/${escapeHtml(uid)}/login" id="consent-form">
<input name="username" autocomplete="username"><input name="password" type="password" autocomplete="current-password">
<button type="submit" name="approved" value="true">Sign in and allow</button>
</form></body></html>`;
}

async function readForm(req: http.IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function send(res: http.ServerResponse, status: number, html: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(html);
}

const server = http.createServer();
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address() as AddressInfo;

const registration: Omit<ClientMetadata, 'client_id'> = {
  grant_types: ['client_credentials', 'refresh_token', 'authorization_code'],
  redirect_uris: [config.redirectUri],
  response_types: ['code'],
  token_endpoint_auth_method: 'client_secret_basic',
  scope: 'openid read write',
};

const configuration: Configuration = {
  ...(config.adapter === 'sqlite' ? { adapter: sqliteAdapter(config.dbPath ?? 'peer.db') } : {}),
  clients: [
    { client_id: config.client.id, client_secret: config.client.secret, ...registration },
    { client_id: config.jwtClient.id, client_secret: config.jwtClient.secret, ...registration },
  ],
  jwks: { keys: signingKeys() },
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  scopes: ['openid', 'offline_access', 'read', 'write'],
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    resourceIndicators: {
      enabled: true,
      // Only the JWT client's client-credentials tokens name a resource server; the other client
      // gets the default opaque tokens, as an out-of-the-box deployment would.
      defaultResource: (ctx: KoaContextWithOIDC) => (ctx.oidc.client?.clientId === config.jwtClient.id ? JWT_RESOURCE : undefined) as string,
      getResourceServerInfo: () => ({ scope: 'read write', accessTokenFormat: 'jwt', jwt: { sign: { alg: 'ES256' } } }),
      useGrantedResource: () => true,
    },
  },
  pkce: { required: () => true },
  // Our server: access tokens 60 min, refresh tokens 7 days, ID tokens 15 min, codes 10 min.
  ttl: { AccessToken: 3600, ClientCredentials: 3600, RefreshToken: 7 * 24 * 3600, IdToken: 900, AuthorizationCode: 600 },
  // As ours: a refresh token for every code exchange of a client allowed the grant, rotated on every use.
  issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
  rotateRefreshToken: true,
  // Ours does not tie tokens to the browser session; by default node-oidc-provider ties those
  // without offline_access to it and loads the session on every refresh.
  expiresWithSession: async () => false,
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(_ctx, id) {
    if (id !== config.user.subject) return undefined;
    return { accountId: id, claims: () => ({ sub: id }) };
  },
};

const provider = new Provider(`http://127.0.0.1:${port}`, configuration);
const providerCallback = provider.callback();

/** The login-and-consent page and its form, the only parts a deployment writes itself. */
async function interaction(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const details = await provider.interactionDetails(req, res);
  const client = await provider.Client.find(String(details.params.client_id));
  const scope = String(details.params.scope ?? '');
  if (req.method === 'GET') return send(res, 200, loginPage(details.uid, client?.clientName ?? '', scope));
  if (req.method !== 'POST' || !req.url?.endsWith('/login')) return send(res, 405, 'method not allowed');

  const form = await readForm(req);
  const password = form.get('password') ?? '';
  const ok = form.get('username') === config.user.username && form.get('approved') === 'true' && (await argon2Verify(config.user.passwordHash, password));
  if (!ok) return send(res, 401, loginPage(details.uid, client?.clientName ?? '', scope, 'Invalid username or password'));

  const grant = new provider.Grant({ accountId: config.user.subject, clientId: String(details.params.client_id) });
  grant.addOIDCScope(scope);
  const grantId = await grant.save();
  await provider.interactionFinished(req, res, { login: { accountId: config.user.subject }, consent: { grantId } }, { mergeWithLastSubmission: false });
}

server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
  if (!req.url?.startsWith('/interaction/')) {
    void providerCallback(req, res);
    return;
  }
  interaction(req, res).catch((error: unknown) => {
    if (!res.headersSent) send(res, 400, escapeHtml(error instanceof Error ? error.message : String(error)));
  });
});

process.send?.({ port });
process.on('SIGTERM', () => server.close(() => process.exit(0)));
