import type { SigningAlgorithm } from './token-signer.js';

/** The asymmetric algorithms keys are generated for (RFC 7518 §3.1, RFC 8037 §3.1). */
export type AsymmetricAlgorithm = Exclude<SigningAlgorithm, 'HS256'>;

/**
 * Every asymmetric algorithm, in the order discovery lists them. Kept apart from key generation
 * (which loads jose) so that CLI option lists can name them without loading crypto code.
 */
export const ASYMMETRIC_ALGORITHMS: readonly AsymmetricAlgorithm[] = ['RS256', 'ES256', 'EdDSA'];
