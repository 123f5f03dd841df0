import type { Keystore } from '../crypto/keystore.js';
import type { Clock } from '../repositories/ports.js';
import { idTokenAlgorithm, idTokenClaims } from '../protocol/oidc/id-token.js';
import type { IdTokenMinter } from './token-request.js';

/**
 * Signs ID tokens (OIDC Core §3.1.3.6) with the persisted keys, in the client's registered
 * `id_token_signed_response_alg` (RS256 by default; ES256 and EdDSA on request). HS256 is never
 * used: client secrets are stored hashed, so there is no shared key to sign with.
 */
export function createIdTokenMinter(deps: { keystore: Pick<Keystore, 'sign'>; clock: Clock; ttlSeconds: number }): IdTokenMinter {
  return {
    async mint(input) {
      const algorithm = idTokenAlgorithm(input.client);
      const claims = idTokenClaims({ ...input, now: deps.clock.now(), ttlSeconds: deps.ttlSeconds, algorithm });
      return deps.keystore.sign(claims, { typ: 'JWT', algorithm });
    },
  };
}
