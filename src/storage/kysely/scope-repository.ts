import type { NewScope, Scope, ScopeListQuery, ScopePatch } from '../../domain/scope.js';
import type { ScopeRepository } from '../../repositories/scope-repository.js';
import { toCount, translated, type RepositoryContext } from './context.js';
import { decodeRow, encodeRow, type FieldMap } from './row-mapper.js';

const SCOPE_FIELDS: FieldMap<Scope> = {
  id: ['id', 'plain'],
  scopeName: ['scope_name', 'plain'],
  description: ['description', 'plain'],
  isDefault: ['is_default', 'bool'],
  isActive: ['is_active', 'bool'],
  createdAt: ['created_at', 'time'],
  updatedAt: ['updated_at', 'time'],
};

/** `ScopeRepository` over Kysely, for SQLite and PostgreSQL alike. */
export class KyselyScopeRepository implements ScopeRepository {
  readonly #ctx: RepositoryContext;

  constructor(ctx: RepositoryContext) {
    this.#ctx = ctx;
  }

  #decode = (row: Record<string, unknown>): Scope => {
    const scope = decodeRow(SCOPE_FIELDS, this.#ctx.codec, row);
    scope.isDefault ??= false;
    scope.isActive ??= true;
    return scope;
  };

  #active() {
    return this.#ctx.db.selectFrom('oauth_scopes').selectAll().where('is_active', '=', this.#ctx.codec.bool(true));
  }

  async create(input: NewScope): Promise<Scope> {
    const { codec, clock, ids, db } = this.#ctx;
    const now = clock.now();
    const row = encodeRow(SCOPE_FIELDS, codec, {
      id: ids.uuid(),
      description: null,
      isDefault: false,
      isActive: true,
      createdAt: now,
      updatedAt: now,
      ...input,
    });
    const inserted = await translated(this.#ctx, () =>
      db.insertInto('oauth_scopes').values(row as never).returningAll().executeTakeFirstOrThrow(),
    );
    return this.#decode(inserted);
  }

  async findById(id: string): Promise<Scope | undefined> {
    const row = await this.#ctx.db.selectFrom('oauth_scopes').selectAll().where('id', '=', id).executeTakeFirst();
    return row && this.#decode(row);
  }

  async findByName(name: string): Promise<Scope | undefined> {
    const row = await this.#ctx.db.selectFrom('oauth_scopes').selectAll().where('scope_name', '=', name).executeTakeFirst();
    return row && this.#decode(row);
  }

  async findActiveByNames(names: readonly string[]): Promise<Scope[]> {
    if (names.length === 0) return [];
    const rows = await this.#active().where('scope_name', 'in', [...names]).orderBy('scope_name').execute();
    return rows.map(this.#decode);
  }

  async findDefaults(): Promise<Scope[]> {
    const rows = await this.#active().where('is_default', '=', this.#ctx.codec.bool(true)).orderBy('scope_name').execute();
    return rows.map(this.#decode);
  }

  async list(query: ScopeListQuery): Promise<Scope[]> {
    const base = query.includeInactive ? this.#ctx.db.selectFrom('oauth_scopes').selectAll() : this.#active();
    const rows = await base.orderBy('scope_name').limit(query.limit).offset(query.offset).execute();
    return rows.map(this.#decode);
  }

  async count(includeInactive = false): Promise<number> {
    let q = this.#ctx.db.selectFrom('oauth_scopes').select((eb) => eb.fn.countAll().as('n'));
    if (!includeInactive) q = q.where('is_active', '=', this.#ctx.codec.bool(true));
    return toCount((await q.executeTakeFirstOrThrow()).n);
  }

  async update(id: string, patch: ScopePatch): Promise<Scope | undefined> {
    const { codec, clock, db } = this.#ctx;
    const row = encodeRow(SCOPE_FIELDS, codec, { ...patch, updatedAt: clock.now() });
    const updated = await db.updateTable('oauth_scopes').set(row as never).where('id', '=', id).returningAll().executeTakeFirst();
    return updated && this.#decode(updated);
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.#ctx.db.deleteFrom('oauth_scopes').where('id', '=', id).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }
}
