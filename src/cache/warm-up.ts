import type { Repositories } from '../repositories/repositories.js';

/** Limits of a warm-up. */
export interface WarmUpOptions {
  /** Clients read per listing page; default 200. */
  pageSize?: number;
  /** Stop after this many clients (the LRU holds `max_size` entries anyway); default 5000. */
  maxClients?: number;
}

/** What a warm-up loaded. */
export interface WarmUpReport {
  clients: number;
  scopes: number;
  signingKeys: number;
}

/**
 * Fills the cache with what the first requests need: active clients (by `client_id`, by id and
 * their scopes), every scope and the defaults, and the signing keys. Call it with the
 * repositories `withCache` returned; on uncached repositories it only costs the reads.
 */
export async function warmUp(repos: Repositories, options: WarmUpOptions = {}): Promise<WarmUpReport> {
  const pageSize = options.pageSize ?? 200;
  const maxClients = options.maxClients ?? 5000;
  let clients = 0;
  for (let offset = 0; offset < maxClients; offset += pageSize) {
    const page = await repos.clients.list({ includeInactive: false, limit: Math.min(pageSize, maxClients - offset), offset });
    await Promise.all(
      page.map(async function warmClient(client) {
        await repos.clients.findByClientId(client.clientId);
        await repos.clients.findById(client.id);
        await repos.clients.findScopes(client.id);
      }),
    );
    clients += page.length;
    if (page.length < pageSize) break;
  }

  await repos.scopes.findDefaults();
  const scopes = await repos.scopes.list({ includeInactive: true, limit: 1000, offset: 0 });
  await Promise.all(scopes.map((scope) => repos.scopes.findByName(scope.scopeName)));

  const active = await repos.signingKeys.listActive();
  await repos.signingKeys.list();
  await Promise.all(active.map((key) => repos.signingKeys.findByKid(key.kid)));

  return { clients, scopes: scopes.length, signingKeys: active.length };
}
