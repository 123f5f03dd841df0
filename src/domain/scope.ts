/** An OAuth scope (table `oauth_scopes`). */
export interface Scope {
  id: string;
  scopeName: string;
  description: string | null;
  /** Granted when a request names no scope. */
  isDefault: boolean;
  isActive: boolean;
  createdAt: Date;
  updatedAt: Date;
}

/** What a caller supplies to create a scope. */
export type NewScope = Pick<Scope, 'scopeName'> & Partial<Pick<Scope, 'id' | 'description' | 'isDefault' | 'isActive'>>;

/** Fields an update may change. */
export type ScopePatch = Partial<Pick<Scope, 'description' | 'isDefault' | 'isActive'>>;

/** Listing options. */
export interface ScopeListQuery {
  includeInactive?: boolean;
  limit: number;
  offset: number;
}
