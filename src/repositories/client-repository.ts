import type { Client, ClientListQuery, ClientPatch, NewClient } from '../domain/client.js';

/** OAuth clients and their scope assignments. */
export interface ClientRepository {
  /**
   * Creates a client and assigns it the named scopes (unknown names are ignored).
   * Throws `ConflictError` when the `client_id` is taken.
   */
  create(input: NewClient, scopeNames?: readonly string[]): Promise<Client>;
  /** By primary key, active or not (admin use). */
  findById(id: string): Promise<Client | undefined>;
  /** By `client_id`; only active clients, as every protocol path sees them. */
  findByClientId(clientId: string): Promise<Client | undefined>;
  list(query: ClientListQuery): Promise<Client[]>;
  /** Number of clients; `active` counts only active ones. */
  counts(): Promise<{ total: number; active: number }>;
  update(id: string, patch: ClientPatch): Promise<Client | undefined>;
  /**
   * Replaces `client_secret_hash` only while it still equals `expected` (a compare-and-set), so
   * upgrading an imported hash never overwrites a secret regenerated meanwhile. Returns whether
   * this call replaced it.
   */
  replaceSecretHash(id: string, expected: string, next: string): Promise<boolean>;
  /** Hard delete; scope assignments, codes go by cascade. */
  delete(id: string): Promise<boolean>;
  /** Names of the scopes assigned to the client, sorted. */
  findScopes(id: string): Promise<string[]>;
  /** Replaces the client's scope assignments with the named scopes (unknown names are ignored). */
  setScopes(id: string, scopeNames: readonly string[]): Promise<void>;
}
