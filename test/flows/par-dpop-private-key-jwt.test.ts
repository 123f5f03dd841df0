import { createHash, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { calculateJwkThumbprint, decodeJwt, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '../../src/domain/client.js';
import { startTestServer, type TestBackend, type TestServer } from '../helpers/app.js';
import { loginThroughForm } from '../helpers/login-form.js';
import { hasPostgres } from '../helpers/services.js';

/** A JWK Set served on loopback, as a client's jwks_uri (allowed by oauth.allow_private_jwks_uri). */
async function serveJwks(jwks: { keys: JWK[] }): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A DPoP proof made by hand (RFC 9449 §4.2), for the replay and mismatch attacks. */
async function dpopProof(keys: { publicKey: CryptoKey; privateKey: CryptoKey }, htm: string, htu: string, accessToken?: string): Promise<string> {
  const jwk = await exportJWK(keys.publicKey);
  const ath = accessToken ? { ath: createHash('sha256').update(accessToken).digest('base64url') } : {};
  return new SignJWT({ htm, htu, jti: randomUUID(), ...ath })
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk })
    .setIssuedAt()
    .sign(keys.privateKey);
}

/** A private_key_jwt client assertion made by hand (RFC 7523 §3). */
async function clientAssertion(key: CryptoKey, kid: string, clientId: string, audience: string): Promise<string> {
  return new SignJWT({ jti: randomUUID() })
    .setProtectedHeader({ alg: 'ES256', kid })
    .setIssuer(clientId)
    .setSubject(clientId)
    .setAudience(audience)
    .setIssuedAt()
    .setExpirationTime('60s')
    .sign(key);
}

function form(fields: Record<string, string>): { method: 'POST'; body: URLSearchParams; headers: Record<string, string> } {
  return { method: 'POST', body: new URLSearchParams(fields), headers: { 'content-type': 'application/x-www-form-urlencoded' } };
}

for (const backend of ['sqlite', 'postgresql'] as TestBackend[]) {
  describe.skipIf(backend === 'postgresql' && !hasPostgres)(`PAR + PKCE + DPoP with a private_key_jwt client, through openid-client (${backend})`, () => {
    let server: TestServer;
    let jwksServer: { url: string; close(): Promise<void> };
    let signingKey: CryptoKey;
    const kid = 'client-key-1';
    let pkjClient: Client;
    let config: client.Configuration;
    let dpopKeys: client.CryptoKeyPair;
    let dpop: client.DPoPHandle;
    let parEndpoint: string;

    beforeAll(async () => {
      server = await startTestServer(backend, { AUTHLY_OAUTH__ALLOW_PRIVATE_JWKS_URI: 'true' });
      const pair = await generateKeyPair('ES256', { extractable: true });
      signingKey = pair.privateKey;
      jwksServer = await serveJwks({ keys: [{ ...(await exportJWK(pair.publicKey)), kid, alg: 'ES256', use: 'sig' }] });
      ({ client: pkjClient } = await server.addClient({
        tokenEndpointAuthMethod: 'private_key_jwt',
        clientSecretHash: null,
        jwksUri: jwksServer.url,
        requirePushedAuthorizationRequests: true,
        dpopBoundAccessTokens: true,
        grantTypes: ['authorization_code', 'refresh_token'],
        scope: 'openid profile email offline_access',
      }));
      config = await client.discovery(new URL(server.url), pkjClient.clientId, undefined, client.PrivateKeyJwt({ key: signingKey, kid }), {
        execute: [client.allowInsecureRequests],
      });
      dpopKeys = await client.randomDPoPKeyPair('ES256');
      dpop = client.getDPoPHandle(config, dpopKeys);
      parEndpoint = config.serverMetadata().pushed_authorization_request_endpoint!;
    });
    afterAll(async () => {
      await server?.close();
      await jwksServer?.close();
    });

    async function pushedAuthorizationUrl(extra: Record<string, string> = {}) {
      const verifier = client.randomPKCECodeVerifier();
      const nonce = client.randomNonce();
      const state = client.randomState();
      const url = await client.buildAuthorizationUrlWithPAR(
        config,
        { redirect_uri: server.redirectUri, scope: 'openid profile offline_access', code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', nonce, state, ...extra },
        { DPoP: dpop },
      );
      return { url, verifier, nonce, state };
    }

    async function signIn() {
      const { url, verifier, nonce, state } = await pushedAuthorizationUrl();
      expect(url.searchParams.get('request_uri')).toMatch(/^urn:ietf:params:oauth:request_uri:/);
      const redirect = await loginThroughForm(url.toString(), { username: server.user.username, password: server.password });
      expect(redirect.status).toBe(302);
      return client.authorizationCodeGrant(config, new URL(redirect.headers.get('location')!), { pkceCodeVerifier: verifier, expectedNonce: nonce, expectedState: state, idTokenExpected: true }, undefined, { DPoP: dpop });
    }

    it('advertises PAR, private_key_jwt and DPoP in both discovery documents', async () => {
      const oauthDoc = (await (await fetch(`${server.url}/.well-known/oauth-authorization-server`)).json()) as Record<string, unknown>;
      const oidcDoc = config.serverMetadata() as Record<string, unknown>;
      for (const doc of [oauthDoc, oidcDoc]) {
        expect(doc.pushed_authorization_request_endpoint).toBe(`${server.url}/api/v1/oauth/par`);
        expect(doc.require_pushed_authorization_requests).toBe(false);
        expect(doc.token_endpoint_auth_methods_supported).toContain('private_key_jwt');
        expect(doc.token_endpoint_auth_signing_alg_values_supported).toContain('ES256');
        expect(doc.dpop_signing_alg_values_supported).toContain('ES256');
      }
    });

    it('runs PAR + PKCE + DPoP through the login page; tokens are DPoP-bound and work only with proofs; a bound refresh rotates', async () => {
      const tokens = await signIn();
      const jkt = await calculateJwkThumbprint(await exportJWK(dpopKeys.publicKey));
      expect(tokens.token_type.toLowerCase()).toBe('dpop');
      expect(decodeJwt(tokens.access_token).cnf).toEqual({ jkt });
      expect(tokens.claims()?.sub).toBe(server.user.id);

      const userinfo = await client.fetchUserInfo(config, tokens.access_token, server.user.id, { DPoP: dpop });
      expect(userinfo.sub).toBe(server.user.id);
      const me = await client.fetchProtectedResource(config, tokens.access_token, new URL(`${server.url}/api/v1/users/me`), 'GET', undefined, undefined, { DPoP: dpop });
      expect(me.status).toBe(200);
      expect(((await me.json()) as { id: string }).id).toBe(server.user.id);

      const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!, undefined, { DPoP: dpop });
      expect(refreshed.token_type.toLowerCase()).toBe('dpop');
      expect(decodeJwt(refreshed.access_token).cnf).toEqual({ jkt });
      expect(refreshed.access_token).not.toBe(tokens.access_token);

      // Introspection shows the binding (RFC 9449 §6.2).
      const basic = Buffer.from(`${server.confidential.client.clientId}:${server.confidential.secret}`).toString('base64');
      const introspected = await fetch(`${server.url}/api/v1/oauth/introspect`, { ...form({ token: refreshed.access_token }), headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${basic}` } });
      expect(await introspected.json()).toMatchObject({ active: true, token_type: 'DPoP', cnf: { jkt } });
    });

    it('refuses a DPoP-bound access token presented as Bearer, or with the DPoP scheme but no proof (RFC 9449 §7)', async () => {
      const tokens = await signIn();
      const asBearer = await fetch(`${server.url}/oidc/userinfo`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
      expect(asBearer.status).toBe(401);
      expect(asBearer.headers.get('www-authenticate')).toMatch(/^DPoP error="invalid_token"/);
      const meAsBearer = await fetch(`${server.url}/api/v1/users/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
      expect(meAsBearer.status).toBe(401);
      const noProof = await fetch(`${server.url}/api/v1/users/me`, { headers: { authorization: `DPoP ${tokens.access_token}` } });
      expect(noProof.status).toBe(401);
      expect(noProof.headers.get('www-authenticate')).toMatch(/^DPoP error="invalid_dpop_proof"/);
      // A proof by another key is no proof of the bound one.
      const other = await generateKeyPair('ES256');
      const url = `${server.url}/oidc/userinfo`;
      const wrongKey = await fetch(url, { headers: { authorization: `DPoP ${tokens.access_token}`, dpop: await dpopProof(other, 'GET', url, tokens.access_token) } });
      expect(wrongKey.status).toBe(401);
      expect(((await wrongKey.json()) as { error: string }).error).toBe('invalid_dpop_proof');
    });

    it('refuses a replayed DPoP proof', async () => {
      const tokens = await signIn();
      const url = `${server.url}/oidc/userinfo`;
      const proof = await dpopProof(dpopKeys, 'GET', url, tokens.access_token);
      const headers = { authorization: `DPoP ${tokens.access_token}`, dpop: proof };
      expect((await fetch(url, { headers })).status).toBe(200);
      const replay = await fetch(url, { headers });
      expect(replay.status).toBe(401);
      expect(((await replay.json()) as { error: string }).error).toBe('invalid_dpop_proof');
      expect(replay.headers.get('www-authenticate')).toMatch(/^DPoP error="invalid_dpop_proof"/);
    });

    it('refuses a token request without a DPoP proof from a dpop_bound_access_tokens client', async () => {
      const tokens = await signIn();
      const assertion = await clientAssertion(signingKey, kid, pkjClient.clientId, server.url);
      const res = await fetch(config.serverMetadata().token_endpoint!, form({
        grant_type: 'refresh_token',
        refresh_token: tokens.refresh_token!,
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: assertion,
      }));
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: string }).error).toBe('invalid_dpop_proof');
    });

    it('refuses a replayed client assertion with invalid_client', async () => {
      const assertion = await clientAssertion(signingKey, kid, pkjClient.clientId, parEndpoint);
      const push = () =>
        fetch(parEndpoint, form({
          response_type: 'code',
          redirect_uri: server.redirectUri,
          scope: 'openid',
          code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
          code_challenge_method: 'S256',
          client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
          client_assertion: assertion,
        }));
      const first = await push();
      expect(first.status).toBe(201);
      expect(await first.json()).toMatchObject({ expires_in: 60 });
      const replay = await push();
      expect(replay.status).toBe(401);
      expect(((await replay.json()) as { error: string }).error).toBe('invalid_client');
    });

    it('refuses an assertion signed by a key the client did not register, and one for another audience', async () => {
      const stranger = await generateKeyPair('ES256');
      for (const assertion of [
        await clientAssertion(stranger.privateKey, kid, pkjClient.clientId, server.url),
        await clientAssertion(signingKey, kid, pkjClient.clientId, 'https://elsewhere.example.com'),
      ]) {
        const res = await fetch(parEndpoint, form({
          response_type: 'code', redirect_uri: server.redirectUri, code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
          client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: assertion,
        }));
        expect(res.status).toBe(401);
        expect(((await res.json()) as { error: string }).error).toBe('invalid_client');
      }
    });

    it('refuses a request_uri used twice, and one pushed by another client, with invalid_request_uri', async () => {
      const { url } = await pushedAuthorizationUrl();
      const first = await fetch(url);
      expect(first.status).toBe(200);
      const again = await fetch(url, { headers: { accept: 'application/json' } });
      expect(again.status).toBe(400);
      expect(((await again.json()) as { error: string }).error).toBe('invalid_request_uri');

      const { url: fresh } = await pushedAuthorizationUrl();
      const foreign = new URL(fresh);
      foreign.searchParams.set('client_id', server.confidential.client.clientId);
      const stolen = await fetch(foreign, { headers: { accept: 'application/json' } });
      expect(((await stolen.json()) as { error: string }).error).toBe('invalid_request_uri');
      // The attempt by another client did not use it up.
      expect((await fetch(fresh)).status).toBe(200);
    });

    it('refuses an authorization request that was not pushed from a client that requires PAR', async () => {
      const url = new URL(config.serverMetadata().authorization_endpoint!);
      for (const [name, value] of Object.entries({
        response_type: 'code', client_id: pkjClient.clientId, redirect_uri: server.redirectUri, state: 's1',
        code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256',
      })) url.searchParams.set(name, value);
      const res = await fetch(url, { redirect: 'manual' });
      expect(res.status).toBe(302);
      const location = new URL(res.headers.get('location')!);
      expect(location.searchParams.get('error')).toBe('invalid_request');
      expect(location.searchParams.get('state')).toBe('s1');
    });

    it('refuses a code bound to one DPoP key when redeemed with another (RFC 9449 §10)', async () => {
      const { url, verifier, nonce, state } = await pushedAuthorizationUrl();
      const redirect = await loginThroughForm(url.toString(), { username: server.user.username, password: server.password });
      const otherDpop = client.getDPoPHandle(config, await client.randomDPoPKeyPair('ES256'));
      await expect(
        client.authorizationCodeGrant(config, new URL(redirect.headers.get('location')!), { pkceCodeVerifier: verifier, expectedNonce: nonce, expectedState: state }, undefined, { DPoP: otherDpop }),
      ).rejects.toMatchObject({ error: 'invalid_dpop_proof' });
    });
  });
}

describe('server-wide settings: DPoP nonces and required PAR (oauth.dpop_require_nonce, oauth.require_pushed_authorization_requests)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer('sqlite', { AUTHLY_OAUTH__DPOP_REQUIRE_NONCE: 'true', AUTHLY_OAUTH__REQUIRE_PUSHED_AUTHORIZATION_REQUESTS: 'true' });
  });
  afterAll(async () => server?.close());

  it('advertises the requirement and refuses an authorization request that was not pushed', async () => {
    for (const doc of ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration']) {
      expect(((await (await fetch(`${server.url}${doc}`)).json()) as Record<string, unknown>).require_pushed_authorization_requests).toBe(true);
    }
    const url = new URL(`${server.url}/api/v1/oauth/authorize`);
    for (const [name, value] of Object.entries({
      response_type: 'code', client_id: server.confidential.client.clientId, redirect_uri: server.redirectUri,
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256',
    })) url.searchParams.set(name, value);
    const res = await fetch(url, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(new URL(res.headers.get('location')!).searchParams.get('error')).toBe('invalid_request');
  });

  it('answers use_dpop_nonce with a DPoP-Nonce header, and openid-client retries with the nonce', async () => {
    const keys = await client.randomDPoPKeyPair('ES256');
    const tokenEndpoint = `${server.url}/api/v1/oauth/token`;
    const basic = Buffer.from(`${server.confidential.client.clientId}:${server.confidential.secret}`).toString('base64');
    const res = await fetch(tokenEndpoint, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'read' }),
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${basic}`, dpop: await dpopProof(keys, 'POST', tokenEndpoint) },
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe('use_dpop_nonce');
    expect(res.headers.get('dpop-nonce')).toBeTruthy();

    const config = await client.discovery(new URL(server.url), server.confidential.client.clientId, undefined, client.ClientSecretBasic(server.confidential.secret), {
      execute: [client.allowInsecureRequests],
    });
    const dpop = client.getDPoPHandle(config, keys);
    const tokens = await client.clientCredentialsGrant(config, { scope: 'read' }, { DPoP: dpop }).catch(async (error: unknown) => {
      // openid-client surfaces the first use_dpop_nonce once it has learnt the nonce; a retry carries it.
      if (client.ResponseBodyError && error instanceof client.ResponseBodyError && error.error === 'use_dpop_nonce') {
        return client.clientCredentialsGrant(config, { scope: 'read' }, { DPoP: dpop });
      }
      throw error;
    });
    expect(tokens.token_type.toLowerCase()).toBe('dpop');
  });
});
