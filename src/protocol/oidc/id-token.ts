import { createHash } from 'node:crypto';
import type { Client } from '../../domain/client.js';
import type { User } from '../../domain/user.js';
import { releasedClaims } from './claims.js';

/** Algorithms an ID token may be signed with here; never `none`, never HS256 (secrets are hashed). */
export type IdTokenAlgorithm = 'ES256' | 'RS256' | 'EdDSA';

/**
 * OIDC Core §3.1.3.6 `at_hash`: the left half of the hash of the access token's ASCII octets, with
 * the hash of the signing algorithm (SHA-256 for ES256/RS256; SHA-512 for EdDSA with Ed25519).
 */
export function accessTokenHash(accessToken: string, algorithm: IdTokenAlgorithm): string {
  const digest = createHash(algorithm === 'EdDSA' ? 'sha512' : 'sha256').update(accessToken, 'ascii').digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}

/** The algorithm a client's ID tokens use: its registered one when we sign with it, else RS256 (OIDC Registration §2). */
export function idTokenAlgorithm(client: Client): IdTokenAlgorithm {
  const alg = client.idTokenSignedResponseAlg;
  return alg === 'ES256' || alg === 'EdDSA' ? alg : 'RS256';
}

/** What an ID token says. */
export interface IdTokenInput {
  issuer: string;
  user: User;
  client: Client;
  scopes: readonly string[];
  nonce: string | null;
  authTime: Date | null;
  accessToken: string;
  /** Session id (OIDC Back-Channel Logout 1.0 §2.4); left out when the login had no browser session. */
  sid?: string | null;
  now: Date;
  ttlSeconds: number;
  algorithm: IdTokenAlgorithm;
}

/** OIDC Core §2 and §3.1.3.6 claims, plus the claims the granted scopes release (§5.4). */
export function idTokenClaims(input: IdTokenInput): Record<string, unknown> {
  const iat = Math.floor(input.now.getTime() / 1000);
  return {
    iss: input.issuer,
    sub: input.user.id,
    aud: input.client.clientId,
    exp: iat + input.ttlSeconds,
    iat,
    ...(input.authTime ? { auth_time: Math.floor(input.authTime.getTime() / 1000) } : {}),
    ...(input.nonce ? { nonce: input.nonce } : {}),
    ...(input.sid ? { sid: input.sid } : {}),
    at_hash: accessTokenHash(input.accessToken, input.algorithm),
    azp: input.client.clientId,
    ...releasedClaims(input.user, input.scopes),
  };
}
