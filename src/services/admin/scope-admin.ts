import type { Scope } from '../../domain/scope.js';
import { ConflictError } from '../../repositories/errors.js';
import type { Repositories } from '../../repositories/repositories.js';
import { badRequest, notFound } from '../users/detail-error.js';

/** Authly's `OAuthScopeModel`. */
export interface ScopeModel {
  id: string;
  scope_name: string;
  description: string | null;
  is_default: boolean;
  created_at: string;
  updated_at: string;
  is_active: boolean;
}

/** `POST /admin/scopes` body; `scope_name` is checked here, with Authly's messages. */
export interface ScopeCreateInput {
  scope_name: unknown;
  description?: string | null;
  is_default?: boolean;
  is_active?: boolean;
}

/** `PUT /admin/scopes/{name}` body. */
export interface ScopeUpdateInput {
  scope_name?: unknown;
  description?: string | null;
  is_default?: boolean;
  is_active?: boolean;
}

/** The API view of a scope. */
export function toScopeModel(scope: Scope): ScopeModel {
  return {
    id: scope.id,
    scope_name: scope.scopeName,
    description: scope.description,
    is_default: scope.isDefault,
    created_at: scope.createdAt.toISOString(),
    updated_at: scope.updatedAt.toISOString(),
    is_active: scope.isActive,
  };
}

/**
 * Authly's scope-name rules, in its order. Control characters are refused too: RFC 6749
 * §3.3 scope tokens are printable ASCII, and PostgreSQL rejects NUL in text.
 */
export function scopeNameProblem(name: unknown): string | undefined {
  if (typeof name !== 'string' || name.trim() === '') return 'Scope name must be a non-empty string';
  if (name.length > 255) return 'Scope name too long (max 255 characters)';
  if (/\s/.test(name)) return 'Scope name cannot contain spaces';
  if (/[^\x20-\x7e]/.test(name)) return 'Scope name must be ASCII characters only';
  return undefined;
}

/** Names that can never be stored: looked up, they would only make PostgreSQL fail (NUL). */
function unstorable(name: string): boolean {
  return name.includes('\u0000');
}

/** OAuth scope administration. */
export class ScopeAdmin {
  readonly #repos: Repositories;

  constructor(repos: Repositories) {
    this.#repos = repos;
  }

  /** By name; `include_inactive` honoured; `default_only` ignores paging. */
  async list(query: { limit: number; offset: number; includeInactive: boolean; defaultOnly: boolean }): Promise<ScopeModel[]> {
    const scopes = query.defaultOnly ? await this.#repos.scopes.findDefaults() : await this.#repos.scopes.list(query);
    return scopes.map(toScopeModel);
  }

  /** Active default scopes. */
  async defaults(): Promise<ScopeModel[]> {
    return (await this.#repos.scopes.findDefaults()).map(toScopeModel);
  }

  async create(input: ScopeCreateInput): Promise<ScopeModel> {
    const problem = scopeNameProblem(input.scope_name);
    if (problem) throw badRequest(problem);
    const name = input.scope_name as string;
    if (await this.#repos.scopes.findByName(name)) throw badRequest(`Scope '${name}' already exists`);
    try {
      const scope = await this.#repos.scopes.create({
        scopeName: name,
        description: input.description ?? null,
        isDefault: input.is_default ?? false,
        isActive: input.is_active ?? true,
      });
      return toScopeModel(scope);
    } catch (error) {
      if (error instanceof ConflictError) throw badRequest(`Scope '${name}' already exists`);
      throw error;
    }
  }

  /** Even an inactive scope. */
  async get(name: string): Promise<ScopeModel> {
    const scope = unstorable(name) ? undefined : await this.#repos.scopes.findByName(name);
    if (!scope) throw notFound(`Scope not found: ${name}`);
    return toScopeModel(scope);
  }

  /** Authly's order: 404, then "No valid fields", then "cannot be changed". */
  async update(name: string, input: ScopeUpdateInput): Promise<ScopeModel> {
    const scope = unstorable(name) ? undefined : await this.#repos.scopes.findByName(name);
    if (!scope) throw notFound('Scope not found');
    const patch = {
      ...(input.description !== undefined ? { description: input.description } : {}),
      ...(input.is_default !== undefined ? { isDefault: input.is_default } : {}),
      ...(input.is_active !== undefined ? { isActive: input.is_active } : {}),
    };
    if (Object.keys(patch).length === 0) throw badRequest('No valid fields to update');
    if (input.scope_name !== undefined) throw badRequest('Scope name cannot be changed');
    const updated = await this.#repos.scopes.update(scope.id, patch);
    if (!updated) throw notFound('Scope not found');
    return toScopeModel(updated);
  }

  /** Soft delete, repeatable; client and token associations stay. */
  async deactivate(name: string): Promise<{ scope_name: string; message: string }> {
    const scope = unstorable(name) ? undefined : await this.#repos.scopes.findByName(name);
    if (!scope) throw notFound('Scope not found or cannot be deactivated');
    await this.#repos.scopes.update(scope.id, { isActive: false });
    return { scope_name: scope.scopeName, message: 'Scope deactivated successfully' };
  }
}
