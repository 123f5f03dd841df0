import type { Client, ClientListQuery, ClientPatch, NewClient } from '../domain/client.js';

/** OAuth clients (spec §7.2) and their scope assignments (spec §7.5). */
export interface ClientRepository {
  /**
   * Creates a client and assigns it the named scopes (unknown names are ignored).
   * Throws `ConflictError` when the `client_id` is taken.
   */
  create(input: NewClient, scopeNames?: readonly string[]): Promise<Client>;
  /** By primary key, active or not (admin use). */
  findById(id: string): Promise<Client | undefined>;
  /** By `client_id`; only active clients, as every protocol path sees them (spec §7.2). */
  findByClientId(clientId: string): Promise<Client | undefined>;
  list(query: ClientListQuery): Promise<Client[]>;
  /** Number of clients; `active` counts only active ones. */
  counts(): Promise<{ total: number; active: number }>;
  update(id: string, patch: ClientPatch): Promise<Client | undefined>;
  /**
   * Replaces the secret hash only while it still equals `expected` (compare-and-set), so that
   * upgrading an imported hash after a successful authentication cannot undo a secret
   * regenerated meanwhile. True when it was replaced.
   */
  replaceSecretHash(id: string, expected: string, replacement: string): Promise<boolean>;
  /** Hard delete; scope assignments, codes go by cascade. */
  delete(id: string): Promise<boolean>;
  /** Names of the scopes assigned to the client, sorted. */
  findScopes(id: string): Promise<string[]>;
  /** Replaces the client's scope assignments with the named scopes (unknown names are ignored). */
  setScopes(id: string, scopeNames: readonly string[]): Promise<void>;
}
