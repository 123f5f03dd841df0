import type { NewScope, Scope, ScopeListQuery, ScopePatch } from '../domain/scope.js';

/** OAuth scopes. */
export interface ScopeRepository {
  /** Throws `ConflictError` when the name is taken. */
  create(input: NewScope): Promise<Scope>;
  findById(id: string): Promise<Scope | undefined>;
  /** Exact name, active or not. */
  findByName(name: string): Promise<Scope | undefined>;
  /** The active scopes among `names`, in name order. */
  findActiveByNames(names: readonly string[]): Promise<Scope[]>;
  /** Active default scopes, in name order. */
  findDefaults(): Promise<Scope[]>;
  /** In name order. */
  list(query: ScopeListQuery): Promise<Scope[]>;
  count(includeInactive?: boolean): Promise<number>;
  update(id: string, patch: ScopePatch): Promise<Scope | undefined>;
  delete(id: string): Promise<boolean>;
}
