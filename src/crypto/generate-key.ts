import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import type { JWK } from 'jose';
import type { PublicJwk } from '../domain/signing-key.js';

import type { AsymmetricAlgorithm } from './algorithms.js';

export { ASYMMETRIC_ALGORITHMS } from './algorithms.js';
export type { AsymmetricAlgorithm } from './algorithms.js';

/** A freshly generated key pair, ready to persist. */
export interface GeneratedKey {
  /** RFC 7638 JWK thumbprint (SHA-256) of the public key. */
  kid: string;
  algorithm: AsymmetricAlgorithm;
  /** The public JWK as published in JWKS: `kty`, `use`, `alg`, `kid`, then the key members. */
  publicJwk: PublicJwk;
  /** The private JWK (public members plus `d`, …); encrypt before storing. */
  privateJwk: JWK;
  keyType: 'EC' | 'RSA' | 'OKP';
  curve: string | null;
  keySize: number | null;
}

/** Members of a private JWK that must never be published (RFC 7518 §6.2.2, §6.3.2; RFC 8037 §2). */
export const PRIVATE_JWK_MEMBERS: readonly string[] = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

const PARAMETERS: Record<AsymmetricAlgorithm, { keyType: GeneratedKey['keyType']; curve: string | null; keySize: number | null }> = {
  ES256: { keyType: 'EC', curve: 'P-256', keySize: null },
  // RFC 7518 §3.3: at least 2048 bits.
  RS256: { keyType: 'RSA', curve: null, keySize: 2048 },
  EdDSA: { keyType: 'OKP', curve: 'Ed25519', keySize: null },
};

/** True for the algorithms this server generates keys for. */
export function isAsymmetricAlgorithm(value: unknown): value is AsymmetricAlgorithm {
  return typeof value === 'string' && Object.hasOwn(PARAMETERS, value);
}

/**
 * Generates a signing key pair: P-256 for ES256, RSA-2048 (e = 65537) for RS256, Ed25519 for
 * EdDSA. The `kid` is the RFC 7638 thumbprint, so it is derived from the key itself: the same key
 * always has the same `kid`, and two instances can never give different keys one `kid`.
 */
export async function generateSigningKey(algorithm: AsymmetricAlgorithm): Promise<GeneratedKey> {
  const { keyType, curve, keySize } = PARAMETERS[algorithm];
  const { privateKey, publicKey } = await generateKeyPair(algorithm, {
    extractable: true,
    ...(curve === null ? {} : { crv: curve }),
    ...(keySize === null ? {} : { modulusLength: keySize }),
  });
  const publicMembers = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicMembers, 'sha256');
  // RFC 7517 §4.2–4.5: `use`, `alg` and `kid` tell verifiers what the key is for.
  const publicJwk: PublicJwk = { kty: keyType, use: 'sig', alg: algorithm, kid, ...withoutType(publicMembers) };
  const privateJwk: JWK = { ...(await exportJWK(privateKey)), use: 'sig', alg: algorithm, kid };
  return { kid, algorithm, publicJwk, privateJwk, keyType, curve, keySize };
}

/** The public members of a JWK: anything private is dropped (defence in depth for JWKS). */
export function publicMembers(jwk: Readonly<Record<string, unknown>>): PublicJwk {
  const entries = Object.entries(jwk).filter(([name]) => !PRIVATE_JWK_MEMBERS.includes(name));
  return Object.fromEntries(entries) as PublicJwk;
}

function withoutType(jwk: JWK): Omit<JWK, 'kty'> {
  const { kty: _kty, ...rest } = jwk;
  return rest;
}
