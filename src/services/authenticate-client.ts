import type { Client } from '../domain/client.js';
import type { ClientSecrets } from '../crypto/client-secret.js';
import type { ClientRepository } from '../repositories/client-repository.js';
import { InvalidClient, InvalidRequest } from '../protocol/errors.js';

/** Client credentials as they arrived (RFC 6749 §2.3.1): HTTP Basic and/or body parameters. */
export interface PresentedClientCredentials {
  basic?: { clientId: string; clientSecret: string };
  clientId?: string;
  clientSecret?: string;
}

/** The method the request used, in RFC 7591 §2 terms. */
export type UsedAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'none';

/**
 * Authenticates the client as registered (spec §8.6, D5). Returns `undefined` only when the
 * request names no client at all; the caller decides whether that is allowed.
 */
export async function authenticateClient(
  presented: PresentedClientCredentials,
  deps: { clients: ClientRepository; secrets: ClientSecrets },
): Promise<Client | undefined> {
  const { basic } = presented;
  // RFC 6749 §2.3: "The client MUST NOT use more than one authentication method in each request."
  if (basic && presented.clientSecret !== undefined) {
    throw new InvalidRequest('Use one client authentication method, not both HTTP Basic and client_secret');
  }
  if (basic && presented.clientId !== undefined && presented.clientId !== basic.clientId) {
    throw new InvalidRequest('client_id does not match the HTTP Basic credentials');
  }
  const clientId = basic?.clientId ?? presented.clientId;
  if (clientId === undefined || clientId === '') return undefined;
  const secret = basic?.clientSecret ?? presented.clientSecret;
  const method: UsedAuthMethod = basic ? 'client_secret_basic' : secret !== undefined ? 'client_secret_post' : 'none';

  const client = await deps.clients.findByClientId(clientId);
  if (!client) throw new InvalidClient('Invalid client credentials');

  if (client.clientType === 'public' || client.tokenEndpointAuthMethod === 'none') {
    // A public client holds no secret; one that sends a secret is misconfigured or an impostor.
    if (method !== 'none') throw new InvalidClient('Public clients must not send a client secret');
    return client;
  }
  if (method === 'none') throw new InvalidClient('Client authentication required');
  if (method !== client.tokenEndpointAuthMethod) {
    throw new InvalidClient(`The client must authenticate with ${client.tokenEndpointAuthMethod}`);
  }
  const stored = client.clientSecretHash;
  const ok = stored !== null && (await deps.secrets.verify(secret ?? '', stored));
  if (!ok) throw new InvalidClient('Invalid client credentials');
  // An imported bcrypt hash costs ~180 ms per request; once the secret is known to be right,
  // store this server's keyed hash instead, unless the secret was replaced meanwhile.
  if (deps.secrets.needsUpgrade(stored)) await deps.clients.replaceSecretHash(client.id, stored, deps.secrets.hash(secret ?? ''));
  return client;
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
