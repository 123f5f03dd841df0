import type { NewToken, SessionListQuery, TokenRecord, TokenType } from '../../domain/token.js';
import type { TokenRepository } from '../../repositories/token-repository.js';
import { toCount, translated, type RepositoryContext } from './context.js';
import { decodeRow, encodeRow, type FieldMap } from './row-mapper.js';

const TOKEN_FIELDS: FieldMap<TokenRecord> = {
  id: ['id', 'plain'],
  userId: ['user_id', 'plain'],
  clientId: ['client_id', 'plain'],
  jti: ['token_jti', 'plain'],
  tokenType: ['token_type', 'plain'],
  tokenValue: ['token_value', 'plain'],
  scope: ['scope', 'plain'],
  invalidated: ['invalidated', 'bool'],
  invalidatedAt: ['invalidated_at', 'time'],
  expiresAt: ['expires_at', 'time'],
  createdAt: ['created_at', 'time'],
  createdByIp: ['created_by_ip', 'plain'],
  userAgent: ['user_agent', 'plain'],
  grantId: ['grant_id', 'plain'],
};

/** `TokenRepository` over Kysely. Every decision is one statement, so instances never race. */
export class KyselyTokenRepository implements TokenRepository {
  readonly #ctx: RepositoryContext;

  constructor(ctx: RepositoryContext) {
    this.#ctx = ctx;
  }

  #decode = (row: Record<string, unknown>): TokenRecord => decodeRow(TOKEN_FIELDS, this.#ctx.codec, row);

  async save(input: NewToken): Promise<TokenRecord> {
    const { codec, clock, ids, db } = this.#ctx;
    const row = encodeRow(TOKEN_FIELDS, codec, {
      id: ids.uuid(),
      clientId: null,
      grantId: null,
      scope: null,
      invalidated: false,
      invalidatedAt: null,
      createdAt: clock.now(),
      ...input,
    });
    const inserted = await translated(this.#ctx, () =>
      db.insertInto('tokens').values(row as never).returningAll().executeTakeFirstOrThrow(),
    );
    return this.#decode(inserted);
  }

  async findByJti(jti: string): Promise<TokenRecord | undefined> {
    const row = await this.#ctx.db.selectFrom('tokens').selectAll().where('token_jti', '=', jti).executeTakeFirst();
    return row && this.#decode(row);
  }

  #invalidateWhere(at: Date) {
    const { db, codec } = this.#ctx;
    return db
      .updateTable('tokens')
      .set({ invalidated: codec.bool(true), invalidated_at: codec.time(at) })
      .where('invalidated', '=', codec.bool(false));
  }

  async invalidate(jti: string, at: Date): Promise<boolean> {
    // The `invalidated = false` guard makes this a compare-and-set: only one caller flips it.
    const result = await this.#invalidateWhere(at).where('token_jti', '=', jti).executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async invalidateByUser(userId: string, at: Date, tokenType?: TokenType): Promise<number> {
    let q = this.#invalidateWhere(at).where('user_id', '=', userId);
    if (tokenType) q = q.where('token_type', '=', tokenType);
    return Number((await q.executeTakeFirst()).numUpdatedRows);
  }

  async invalidateByClient(clientId: string, at: Date): Promise<number> {
    const result = await this.#invalidateWhere(at).where('client_id', '=', clientId).executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async invalidateByGrant(grantId: string, at: Date): Promise<number> {
    const result = await this.#invalidateWhere(at).where('grant_id', '=', grantId).executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async findById(id: string): Promise<TokenRecord | undefined> {
    const row = await this.#ctx.db.selectFrom('tokens').selectAll().where('id', '=', id).executeTakeFirst();
    return row && this.#decode(row);
  }

  #sessions(userId: string, query: Omit<SessionListQuery, 'limit' | 'offset'>) {
    const { db, codec } = this.#ctx;
    let q = db.selectFrom('tokens').where('user_id', '=', userId);
    if (!query.includeRefresh) q = q.where('token_type', '=', 'access');
    if (query.activeOnly) {
      q = q.where('invalidated', '=', codec.bool(false)).where('expires_at', '>', codec.time(query.now));
    }
    return q;
  }

  async listSessions(userId: string, query: SessionListQuery): Promise<TokenRecord[]> {
    const rows = await this.#sessions(userId, query)
      .selectAll()
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .limit(query.limit)
      .offset(query.offset)
      .execute();
    return rows.map(this.#decode);
  }

  async countSessions(userId: string, query: Omit<SessionListQuery, 'limit' | 'offset'>): Promise<number> {
    const row = await this.#sessions(userId, query).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    return toCount(row.n);
  }

  async deleteExpired(now: Date, limit?: number): Promise<number> {
    const { db, codec } = this.#ctx;
    const expired = codec.time(now);
    // A batch goes by primary key: neither engine takes LIMIT on DELETE in every build.
    const query =
      limit === undefined
        ? db.deleteFrom('tokens').where('expires_at', '<', expired)
        : db.deleteFrom('tokens').where('id', 'in', db.selectFrom('tokens').select('id').where('expires_at', '<', expired).limit(limit));
    return Number((await query.executeTakeFirst()).numDeletedRows);
  }
}
