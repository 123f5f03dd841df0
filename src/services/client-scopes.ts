import type { Client } from '../domain/client.js';
import type { Repositories } from '../repositories/repositories.js';
import { isAdminScope, parseScope } from '../protocol/scope.js';

/** The names registered for a client: its `oauth_clients.scope` string and its assigned scopes. */
export async function registeredScopes(client: Client, repos: Pick<Repositories, 'clients'>): Promise<string[]> {
  return [...new Set([...parseScope(client.scope), ...(await repos.clients.findScopes(client.id))])];
}

/**
 * Which scope names the authorization endpoint may grant `client` (beyond being active): the
 * names registered for it; or, for a client registered for none (Authly's clients often are),
 * any name that carries no administrative power, so the OIDC scopes and the defaults still work
 * but `admin:*` never reaches a client that was not registered for it.
 */
export async function authorizableScopeFilter(client: Client, repos: Pick<Repositories, 'clients'>): Promise<(name: string) => boolean> {
  const registered = new Set(await registeredScopes(client, repos));
  return registered.size > 0 ? (name) => registered.has(name) : (name) => !isAdminScope(name);
}
