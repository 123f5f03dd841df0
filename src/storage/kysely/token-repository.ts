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
  consentId: ['consent_id', 'plain'],
};

/** Every column of `tokens` the repository writes, in one fixed order (for a prepared INSERT). */
export const TOKEN_COLUMNS: readonly string[] = Object.values(TOKEN_FIELDS).map(([column]) => column);

/**
 * Writes new token rows (keyed by column) and resolves once they are committed. The default is
 * one multi-row INSERT; the SQLite wiring passes its group commit (`sqlite/group-commit.ts`).
 */
export type TokenRowWriter = (rows: readonly Record<string, unknown>[]) => Promise<void>;

/**
 * Reads the row of one key (a token's `jti`, a family's `grant_id`); `viaKysely` is the
 * repository's own query, for when the reader cannot answer now. The SQLite wiring passes a
 * statement prepared once (`sqlite/key-lookup.ts`).
 */
export type TokenRowReader = (
  key: string,
  viaKysely: () => Promise<Record<string, unknown> | undefined>,
) => Promise<Record<string, unknown> | undefined>;

/**
 * The compare-and-set of `invalidate`: on the row of `jti` whose `invalidated` column equals
 * `set.valid`, sets `invalidated` and `invalidated_at` to the given (encoded) values; resolves
 * with whether it changed the row, once committed. The SQLite wiring passes one that joins the
 * group commit (`sqlite/group-commit.ts`).
 */
export type TokenInvalidator = (jti: string, set: { valid: unknown; invalidated: unknown; invalidatedAt: unknown }) => Promise<boolean>;

/** How a backend may replace the hot statements of the token repository. */
export interface TokenStatements {
  writeRows?: TokenRowWriter;
  readByJti?: TokenRowReader;
  invalidateByJti?: TokenInvalidator;
  /** Reads the revocation marker of one family (`grant_id`), as `readByJti` reads a token. */
  readFamilyRevocation?: TokenRowReader;
}

/** How long a family revocation marker is kept at least (see `deleteExpired`). */
const MARKER_MIN_AGE_MS = 60 * 60 * 1000;

/**
 * `TokenRepository` over Kysely. Every decision is one statement, or (family revocation) an
 * ordered pair of statements argued below, so instances never race.
 */
export class KyselyTokenRepository implements TokenRepository {
  readonly #ctx: RepositoryContext;
  readonly #writeRows: TokenRowWriter;
  readonly #readByJti: TokenRowReader;
  readonly #invalidateByJti: TokenInvalidator | undefined;
  readonly #readFamilyRevocation: TokenRowReader;

  constructor(ctx: RepositoryContext, statements: TokenStatements = {}) {
    this.#ctx = ctx;
    this.#writeRows = statements.writeRows ?? (async (rows) => void (await ctx.db.insertInto('tokens').values(rows as never).execute()));
    this.#readByJti = statements.readByJti ?? ((_jti, viaKysely) => viaKysely());
    this.#invalidateByJti = statements.invalidateByJti;
    this.#readFamilyRevocation = statements.readFamilyRevocation ?? ((_grantId, viaKysely) => viaKysely());
  }

  #decode = (row: Record<string, unknown>): TokenRecord => decodeRow(TOKEN_FIELDS, this.#ctx.codec, row);

  #row(input: NewToken): Record<string, unknown> {
    const { codec, clock, ids } = this.#ctx;
    return encodeRow(TOKEN_FIELDS, codec, {
      id: ids.uuid(),
      clientId: null,
      grantId: null,
      consentId: null,
      scope: null,
      invalidated: false,
      invalidatedAt: null,
      createdAt: clock.now(),
      ...input,
    });
  }

  async save(input: NewToken): Promise<TokenRecord> {
    const row = this.#row(input);
    const inserted = await translated(this.#ctx, () =>
      this.#ctx.db.insertInto('tokens').values(row as never).returningAll().executeTakeFirstOrThrow(),
    );
    return this.#decode(inserted);
  }

  async findByJti(jti: string): Promise<TokenRecord | undefined> {
    const row = await this.#readByJti(jti, () => this.#ctx.db.selectFrom('tokens').selectAll().where('token_jti', '=', jti).executeTakeFirst());
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
    const viaStatement = this.#invalidateByJti;
    if (viaStatement) {
      const { codec } = this.#ctx;
      const set = { valid: codec.bool(false), invalidated: codec.bool(true), invalidatedAt: codec.time(at) };
      return translated(this.#ctx, () => viaStatement(jti, set));
    }
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

  async invalidateByUserAndClient(userId: string, clientId: string, at: Date): Promise<number> {
    const result = await this.#invalidateWhere(at).where('user_id', '=', userId).where('client_id', '=', clientId).executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async invalidateByGrant(grantId: string, at: Date): Promise<number> {
    const result = await this.#invalidateWhere(at).where('grant_id', '=', grantId).executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  /*
   * Family revocation against a concurrent rotation (RFC 9700 §4.14.2: after a reuse nothing of
   * the family may survive). Each step below is its own autocommitted statement, and the order
   * is what makes it one decision, also under PostgreSQL READ COMMITTED, where every statement
   * sees what was committed before it started:
   *   revoker:  (R1) insert the marker;          (R2) invalidate the family's tokens.
   *   rotation: (A1) insert its new tokens;      (A2) read the marker; if there, invalidate.
   * If A2 does not see the marker, R1 committed after A2 started, hence after A1 committed, so
   * R2 (which starts after R1 committed) sees and invalidates A1's tokens. Otherwise A2 sees it
   * and invalidates them itself. Either way no token of a revoked family stays valid, without
   * locks. Running A1 and A2 in one transaction would break this: R2 could not see A1's rows.
   */
  async revokeFamily(grantId: string, at: Date): Promise<number> {
    const { db, codec } = this.#ctx;
    await db
      .insertInto('token_family_revocations')
      .values({ grant_id: grantId, revoked_at: codec.time(at) })
      .onConflict((oc) => oc.column('grant_id').doNothing())
      .execute();
    return this.invalidateByGrant(grantId, at);
  }

  async addToFamily(grantId: string, tokens: readonly NewToken[], at: Date): Promise<boolean> {
    await this.addNewFamily(grantId, tokens);
    if (!(await this.isFamilyRevoked(grantId))) return true;
    await this.invalidateByGrant(grantId, at);
    return false;
  }

  async addNewFamily(grantId: string, tokens: readonly NewToken[]): Promise<void> {
    if (tokens.length === 0) return;
    const rows = tokens.map((t) => this.#row({ ...t, grantId }));
    // Resolves only once the rows are committed: `addToFamily` reads the marker after this.
    await translated(this.#ctx, () => this.#writeRows(rows));
  }

  async isFamilyRevoked(grantId: string): Promise<boolean> {
    const row = await this.#readFamilyRevocation(grantId, () =>
      this.#ctx.db.selectFrom('token_family_revocations').select('grant_id').where('grant_id', '=', grantId).executeTakeFirst(),
    );
    return row !== undefined;
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
    const removed = Number((await query.executeTakeFirst()).numDeletedRows);
    // A marker guards its family while a rotation that raced the revocation may still be
    // writing; once the family has no token left and that hour has passed, nothing can join it.
    const stale = db
      .selectFrom('token_family_revocations')
      .select('grant_id')
      .where('revoked_at', '<', codec.time(new Date(now.getTime() - MARKER_MIN_AGE_MS)))
      .where(({ not, exists, selectFrom }) =>
        not(exists(selectFrom('tokens').select('tokens.id').whereRef('tokens.grant_id', '=', 'token_family_revocations.grant_id'))),
      );
    await db
      .deleteFrom('token_family_revocations')
      .where('grant_id', 'in', limit === undefined ? stale : stale.limit(limit))
      .execute();
    return removed;
  }
}
