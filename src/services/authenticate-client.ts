import type { Client } from '../domain/client.js';
import type { ClientSecrets } from '../crypto/client-secret.js';
import type { ClientRepository } from '../repositories/client-repository.js';
import type { Logger } from '../repositories/ports.js';
import { InvalidClient, InvalidRequest } from '../protocol/errors.js';
import type { ClientAuthAttempt, ClientAuthThrottle } from './client-auth-throttle.js';
import { decodeJwt } from 'jose';
import { JWT_BEARER_ASSERTION, verifyClientAssertion, type ClientAssertionDeps } from './client-assertion.js';

/** Client credentials as they arrived (RFC 6749 §2.3.1): HTTP Basic and/or body parameters. */
export interface PresentedClientCredentials {
  basic?: { clientId: string; clientSecret: string };
  clientId?: string;
  clientSecret?: string;
  /** The client address, for throttling failed authentications. */
  address?: string;
  /** RFC 7521 §4.2 `client_assertion` and `client_assertion_type`. */
  assertion?: string;
  assertionType?: string;
  /** What an assertion's `aud` may name: the issuer, the token endpoint and the endpoint called. */
  audiences?: string[];
}

/** The method the request used, in RFC 7591 §2 terms. */
export type UsedAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt' | 'none';

/** What client authentication needs. */
export interface ClientAuthDeps {
  clients: ClientRepository;
  secrets: ClientSecrets;
  /** Limits failed authentications; absent where nothing is throttled (unit tests). */
  clientAuthThrottle?: ClientAuthThrottle;
  logger?: Logger;
  /** Verifies `private_key_jwt` assertions; absent where no client uses them (unit tests). */
  assertions?: ClientAssertionDeps;
}

/**
 * Authenticates the client as registered (RFC 6749 §2.3, §3.2.1): `client_secret_basic`,
 * `client_secret_post` or `none`, exactly as the client registered. Returns `undefined` only when
 * the request names no client at all; the caller decides whether that is allowed. Failures are
 * `401 invalid_client` and count toward the throttle (`429` once over its limit). An imported
 * bcrypt hash is replaced by the server's HMAC form after its first successful check.
 */
export async function authenticateClient(presented: PresentedClientCredentials, deps: ClientAuthDeps): Promise<Client | undefined> {
  const { basic } = presented;
  // RFC 6749 §2.3: "The client MUST NOT use more than one authentication method in each request."
  if (basic && presented.clientSecret !== undefined) {
    throw new InvalidRequest('Use one client authentication method, not both HTTP Basic and client_secret');
  }
  if (basic && presented.clientId !== undefined && presented.clientId !== basic.clientId) {
    throw new InvalidRequest('client_id does not match the HTTP Basic credentials');
  }
  if (presented.assertion !== undefined || presented.assertionType !== undefined) return authenticateWithAssertion(presented, deps);
  const clientId = basic?.clientId ?? presented.clientId;
  if (clientId === undefined || clientId === '') return undefined;
  const secret = basic?.clientSecret ?? presented.clientSecret;
  const method: UsedAuthMethod = basic ? 'client_secret_basic' : secret !== undefined ? 'client_secret_post' : 'none';

  const attempt: ClientAuthAttempt = { clientId, ip: presented.address };
  const throttle = deps.clientAuthThrottle;
  await throttle?.admit(attempt);
  try {
    return await checkClient(clientId, method, secret ?? '', attempt, deps);
  } catch (error) {
    if (error instanceof InvalidClient) await throttle?.failed(attempt);
    throw error;
  }
}

/**
 * `private_key_jwt` (RFC 7523 §2.2): the assertion names the client (`sub`, and `client_id` when
 * sent must agree); no other method may be combined with it (RFC 6749 §2.3).
 */
async function authenticateWithAssertion(presented: PresentedClientCredentials, deps: ClientAuthDeps): Promise<Client> {
  if (presented.basic || presented.clientSecret !== undefined) throw new InvalidRequest('Use one client authentication method, not a client assertion and a secret');
  if (presented.assertionType !== JWT_BEARER_ASSERTION) throw new InvalidClient(`client_assertion_type must be ${JWT_BEARER_ASSERTION}`);
  const assertion = presented.assertion ?? '';
  let subject: unknown;
  try {
    subject = decodeJwt(assertion).sub;
  } catch {
    throw new InvalidClient('The client assertion is not a JWT');
  }
  if (typeof subject !== 'string' || subject === '' || subject.length > 255) throw new InvalidClient('The client assertion needs a sub');
  if (presented.clientId !== undefined && presented.clientId !== subject) throw new InvalidClient('client_id does not match the client assertion');
  const attempt: ClientAuthAttempt = { clientId: subject, ip: presented.address };
  await deps.clientAuthThrottle?.admit(attempt);
  try {
    const client = await deps.clients.findByClientId(subject);
    if (!client || client.tokenEndpointAuthMethod !== 'private_key_jwt' || client.clientType !== 'confidential' || !deps.assertions) {
      throw new InvalidClient('Invalid client credentials');
    }
    await verifyClientAssertion(client, assertion, presented.audiences ?? [], deps.assertions);
    return client;
  } catch (error) {
    if (error instanceof InvalidClient) await deps.clientAuthThrottle?.failed(attempt);
    throw error;
  }
}

/** The endpoint services' dependencies, as far as client authentication uses them. */
export interface ClientAuthServiceDeps {
  repos: { clients: ClientRepository };
  secrets: ClientSecrets;
  clientAuthThrottle?: ClientAuthThrottle;
  logger?: Logger;
  assertions?: ClientAssertionDeps;
}

/** {@link authenticateClient} with the dependencies the token, revocation and introspection services hold. */
export function authenticateRequestClient(presented: PresentedClientCredentials, deps: ClientAuthServiceDeps): Promise<Client | undefined> {
  return authenticateClient(presented, {
    clients: deps.repos.clients,
    secrets: deps.secrets,
    clientAuthThrottle: deps.clientAuthThrottle,
    logger: deps.logger,
    assertions: deps.assertions,
  });
}

async function checkClient(clientId: string, method: UsedAuthMethod, secret: string, attempt: ClientAuthAttempt, deps: ClientAuthDeps): Promise<Client> {
  const client = await deps.clients.findByClientId(clientId);
  if (!client) throw new InvalidClient('Invalid client credentials');

  if (client.clientType === 'public' || client.tokenEndpointAuthMethod === 'none') {
    // A public client holds no secret; one that sends a secret is misconfigured or an impostor.
    if (method !== 'none') throw new InvalidClient('Public clients must not send a client secret');
    return client;
  }
  if (method === 'none') throw new InvalidClient('Client authentication required');
  if (client.tokenEndpointAuthMethod === 'private_key_jwt') throw new InvalidClient('The client must authenticate with private_key_jwt');
  if (method !== client.tokenEndpointAuthMethod) {
    throw new InvalidClient(`The client must authenticate with ${client.tokenEndpointAuthMethod}`);
  }
  const stored = client.clientSecretHash;
  if (stored === null) throw new InvalidClient('Invalid client credentials');
  const slow = deps.secrets.needsRehash(stored);
  if (slow) await deps.clientAuthThrottle?.reserveSlowCheck(attempt);
  if (!(await deps.secrets.verify(secret, stored))) throw new InvalidClient('Invalid client credentials');
  if (slow) await upgradeSecretHash(client, stored, secret, deps);
  return client;
}

/**
 * Authly stored client secrets as bcrypt hashes, which pure-JavaScript bcrypt checks in about a
 * second. The secret is known to be right here, so it is stored again in the server's keyed
 * HMAC form (as strong for a random secret, microseconds to check). Compare-and-set through the
 * client repository: a secret regenerated meanwhile is never overwritten, and the cached client
 * is dropped. A failed upgrade is logged; the check already succeeded, so the request goes on.
 */
async function upgradeSecretHash(client: Client, stored: string, secret: string, deps: ClientAuthDeps): Promise<void> {
  try {
    if (await deps.clients.replaceSecretHash(client.id, stored, deps.secrets.hash(secret))) {
      deps.logger?.info({ event: 'client_secret.rehashed', clientId: client.clientId }, 'imported bcrypt client secret upgraded to HMAC');
    }
  } catch (error) {
    deps.logger?.warn({ err: error, clientId: client.clientId }, 'could not upgrade an imported client secret hash');
  }
}

/**
 * Parses `Authorization: Basic …` (RFC 7617) whose parts are form-urlencoded (RFC 6749 §2.3.1).
 * Returns `undefined` for other schemes; a malformed Basic header is an `invalid_client`.
 */
export function parseBasicCredentials(header: string | undefined): PresentedClientCredentials['basic'] {
  if (!header || !/^basic /i.test(header)) return undefined;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw new InvalidClient('Malformed HTTP Basic credentials');
  try {
    const form = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));
    return { clientId: form(decoded.slice(0, colon)), clientSecret: form(decoded.slice(colon + 1)) };
  } catch {
    throw new InvalidClient('Malformed HTTP Basic credentials');
  }
}
