import { createHash, randomBytes } from 'node:crypto';
import type { TestServer } from './app.js';
import { loginThroughForm } from './login-form.js';

/** A PKCE pair (RFC 7636 §4.1–4.2). */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** The authorization URL for a client, with overridable parameters (`undefined` drops one). */
export function authorizationUrl(server: TestServer, params: Record<string, string | undefined>): string {
  const url = new URL(`${server.url}/api/v1/oauth/authorize`);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
  return url.toString();
}

/** Runs the login page for `clientId` and returns the issued code and the PKCE verifier. */
export async function obtainCode(
  server: TestServer,
  clientId: string,
  options: { scope?: string; redirectUri?: string } = {},
): Promise<{ code: string; verifier: string }> {
  const { verifier, challenge } = pkcePair();
  const response = await loginThroughForm(
    authorizationUrl(server, {
      client_id: clientId,
      redirect_uri: options.redirectUri ?? server.redirectUri,
      response_type: 'code',
      scope: options.scope ?? 'read',
      state: 'xyz',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    }),
    { username: server.user.username, password: server.password },
  );
  const location = new URL(response.headers.get('location') ?? 'http://invalid/');
  const code = location.searchParams.get('code');
  if (!code) throw new Error(`no code in redirect: ${location}`);
  return { code, verifier };
}

/** POSTs a form to the token endpoint, optionally with HTTP Basic client credentials. */
export async function tokenRequest(
  server: TestServer,
  form: Record<string, string>,
  basic?: { id: string; secret: string },
  extraHeaders: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', ...extraHeaders };
  if (basic) headers.authorization = basicAuth(basic.id, basic.secret);
  const response = await fetch(`${server.url}/api/v1/oauth/token`, { method: 'POST', headers, body: new URLSearchParams(form) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown>, headers: response.headers };
}

/** HTTP Basic credentials (RFC 6749 §2.3.1: each part form-urlencoded first). */
export function basicAuth(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
}

/**
 * Introspects a token as the test server's confidential client: RFC 7662 §2.1 has the protected
 * resource authenticate, so introspection without client credentials is refused.
 */
export async function introspect(server: TestServer, token: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${server.url}/api/v1/oauth/introspect`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: basicAuth(server.confidential.client.clientId, server.confidential.secret),
    },
    body: new URLSearchParams({ token }),
  });
  if (response.status !== 200) throw new Error(`introspection answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as Record<string, unknown>;
}
