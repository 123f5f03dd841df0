import { createHash } from 'node:crypto';
import { errors, jwtVerify, type JWTPayload } from 'jose';
import type { Client } from '../domain/client.js';
import { CLIENT_ASSERTION_ALGORITHMS } from '../protocol/discovery.js';
import { InvalidClient } from '../protocol/errors.js';
import type { ReplayGuard } from '../repositories/replay-guard.js';
import type { Clock } from '../repositories/ports.js';
import { ClientKeysUnavailable, type ClientKeys } from './client-keys.js';

/** RFC 7523 §2.2: the only `client_assertion_type` this server takes. */
export const JWT_BEARER_ASSERTION = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';


const MAX_ASSERTION_LENGTH = 16 * 1024;
const CLOCK_SKEW_SECONDS = 30;

/** What the verifier needs. */
export interface ClientAssertionDeps {
  keys: ClientKeys;
  replay: ReplayGuard;
  clock: Clock;
  /** Longest `exp` - now (and `exp` - `iat`) an assertion may have. */
  maxLifetimeSeconds: number;
}

/**
 * Verifies a `private_key_jwt` client assertion (RFC 7523 §3, OIDC Core §9): signed by one of the
 * client's keys with an asymmetric algorithm; `iss` and `sub` are the client_id; `aud` names one
 * of `audiences` (the issuer, the token endpoint, or the endpoint called: RFC 9126 §2); `exp` is
 * present, in the future and not too far; `jti` is present and never seen before on any instance.
 * Every failure is `invalid_client`.
 */
export async function verifyClientAssertion(client: Client, assertion: string, audiences: readonly string[], deps: ClientAssertionDeps): Promise<void> {
  if (assertion.length > MAX_ASSERTION_LENGTH) throw new InvalidClient('The client assertion is too large');
  const payload = await verifiedPayload(client, assertion, audiences, deps);
  const now = deps.clock.now().getTime() / 1000;
  const { exp, iat, jti } = payload;
  if (typeof exp !== 'number' || exp - now > deps.maxLifetimeSeconds) throw new InvalidClient('The client assertion must expire soon');
  if (typeof iat === 'number' && (iat > now + CLOCK_SKEW_SECONDS || exp - iat > deps.maxLifetimeSeconds)) throw new InvalidClient('The client assertion iat is invalid');
  if (typeof jti !== 'string' || jti.length === 0 || jti.length > 256) throw new InvalidClient('The client assertion needs a jti');
  // RFC 7523 §3 item 7: a jti is used once; it is remembered until the assertion expires.
  const key = createHash('sha256').update(`assertion\n${client.clientId}\n${jti}`).digest('base64url');
  if (!(await deps.replay.firstUse(key, new Date((exp + CLOCK_SKEW_SECONDS) * 1000), deps.clock.now()))) {
    throw new InvalidClient('The client assertion has been used before');
  }
}

async function verifiedPayload(client: Client, assertion: string, audiences: readonly string[], deps: ClientAssertionDeps): Promise<JWTPayload> {
  const options = {
    algorithms: CLIENT_ASSERTION_ALGORITHMS,
    issuer: client.clientId,
    subject: client.clientId,
    audience: [...audiences],
    currentDate: deps.clock.now(),
    clockTolerance: CLOCK_SKEW_SECONDS,
    requiredClaims: ['exp', 'jti'],
  };
  for (const fresh of [false, true]) {
    try {
      const keys = await deps.keys.resolver(client, fresh);
      return (await jwtVerify(assertion, keys, options)).payload;
    } catch (error) {
      // The client may have rotated its keys: one refetch of its jwks_uri for a key we do not know.
      if (!fresh && error instanceof errors.JWKSNoMatchingKey && client.jwksUri) continue;
      if (error instanceof ClientKeysUnavailable) throw new InvalidClient('The client keys could not be retrieved', { cause: error });
      throw new InvalidClient('The client assertion is invalid', { cause: error });
    }
  }
  throw new InvalidClient('The client assertion is invalid');
}
