import type { JwtClaims } from '../../crypto/token-signer.js';

/** The `cnf.jkt` of a token's claims (RFC 9449 §6.1), when it is bound to a DPoP key. */
export function confirmedKey(claims: JwtClaims): string | undefined {
  const cnf = (claims as { cnf?: unknown }).cnf;
  if (cnf === null || typeof cnf !== 'object') return undefined;
  const jkt = (cnf as { jkt?: unknown }).jkt;
  return typeof jkt === 'string' ? jkt : undefined;
}
