import * as client from 'openid-client';
import type { TestServer } from './app.js';

/** openid-client configured by discovery for the test server's confidential client (plain HTTP allowed). */
export function discoverConfidential(server: TestServer): Promise<client.Configuration> {
  const { client: registered, secret } = server.confidential;
  return client.discovery(new URL(server.url), registered.clientId, undefined, client.ClientSecretBasic(secret), { execute: [client.allowInsecureRequests] });
}

/** An authorization request built by openid-client, and how to redeem the redirect it ends in. */
export interface OpenIdRequest {
  url: URL;
  nonce: string;
  /** Exchanges the code in the redirect `location`, checking state, nonce, PKCE and the ID token. */
  redeem(location: string): Promise<client.TokenEndpointResponse & client.TokenEndpointResponseHelpers>;
}

/** An OpenID Connect code + PKCE request for `scope` (with `extra` parameters such as `prompt`). */
export async function openIdRequest(config: client.Configuration, redirectUri: string, scope: string, extra: Record<string, string> = {}): Promise<OpenIdRequest> {
  const verifier = client.randomPKCECodeVerifier();
  const nonce = client.randomNonce();
  const state = client.randomState();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope,
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    nonce,
    state,
    ...extra,
  });
  const redeem = (location: string) =>
    client.authorizationCodeGrant(config, new URL(location), { pkceCodeVerifier: verifier, expectedNonce: nonce, expectedState: state, idTokenExpected: true });
  return { url, nonce, redeem };
}
