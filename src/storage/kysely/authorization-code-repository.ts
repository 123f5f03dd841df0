import type { AuthorizationCode, NewAuthorizationCode } from '../../domain/authorization-code.js';
import type { AuthorizationCodeRepository } from '../../repositories/authorization-code-repository.js';
import { translated, type RepositoryContext } from './context.js';
import { decodeRow, encodeRow, type FieldMap } from './row-mapper.js';

const CODE_FIELDS: FieldMap<AuthorizationCode> = {
  id: ['id', 'plain'],
  code: ['code', 'plain'],
  clientId: ['client_id', 'plain'],
  userId: ['user_id', 'plain'],
  redirectUri: ['redirect_uri', 'plain'],
  scope: ['scope', 'plain'],
  expiresAt: ['expires_at', 'time'],
  createdAt: ['created_at', 'time'],
  usedAt: ['used_at', 'time'],
  isUsed: ['is_used', 'bool'],
  codeChallenge: ['code_challenge', 'plain'],
  codeChallengeMethod: ['code_challenge_method', 'plain'],
  nonce: ['nonce', 'plain'],
  state: ['state', 'plain'],
  responseMode: ['response_mode', 'plain'],
  display: ['display', 'plain'],
  prompt: ['prompt', 'plain'],
  maxAge: ['max_age', 'plain'],
  uiLocales: ['ui_locales', 'plain'],
  idTokenHint: ['id_token_hint', 'plain'],
  loginHint: ['login_hint', 'plain'],
  acrValues: ['acr_values', 'plain'],
  authTime: ['auth_time', 'time'],
  consentId: ['consent_id', 'plain'],
  dpopJkt: ['dpop_jkt', 'plain'],
  sid: ['sid', 'plain'],
};

/** `AuthorizationCodeRepository` over Kysely; `consume` is a single compare-and-set statement. */
export class KyselyAuthorizationCodeRepository implements AuthorizationCodeRepository {
  readonly #ctx: RepositoryContext;

  constructor(ctx: RepositoryContext) {
    this.#ctx = ctx;
  }

  #decode = (row: Record<string, unknown>): AuthorizationCode => {
    const code = decodeRow(CODE_FIELDS, this.#ctx.codec, row);
    code.isUsed ??= false;
    return code;
  };

  async save(input: NewAuthorizationCode): Promise<AuthorizationCode> {
    const { codec, clock, ids, db } = this.#ctx;
    const row = encodeRow(CODE_FIELDS, codec, {
      id: ids.uuid(),
      createdAt: clock.now(),
      isUsed: false,
      usedAt: null,
      codeChallengeMethod: 'S256',
      consentId: null,
      ...input,
    });
    const inserted = await translated(this.#ctx, () =>
      db.insertInto('oauth_authorization_codes').values(row as never).returningAll().executeTakeFirstOrThrow(),
    );
    return this.#decode(inserted);
  }

  async idsByConsent(consentId: string): Promise<string[]> {
    const rows = await this.#ctx.db.selectFrom('oauth_authorization_codes').select('id').where('consent_id', '=', consentId).execute();
    return rows.map((row) => row.id);
  }

  async findByCode(codeHash: string): Promise<AuthorizationCode | undefined> {
    const row = await this.#ctx.db
      .selectFrom('oauth_authorization_codes')
      .selectAll()
      .where('code', '=', codeHash)
      .executeTakeFirst();
    return row && this.#decode(row);
  }

  async consume(codeHash: string, now: Date): Promise<AuthorizationCode | undefined> {
    const { db, codec } = this.#ctx;
    // RFC 6749 §4.1.2 "MUST NOT be used more than once": the database decides in one
    // UPDATE … RETURNING, so of N concurrent callers on any instance exactly one gets the row.
    const row = await db
      .updateTable('oauth_authorization_codes')
      .set({ is_used: codec.bool(true), used_at: codec.time(now) })
      .where('code', '=', codeHash)
      .where((eb) => eb.or([eb('is_used', '=', codec.bool(false)), eb('is_used', 'is', null)]))
      .where('expires_at', '>', codec.time(now))
      .returningAll()
      .executeTakeFirst();
    return row && this.#decode(row);
  }

  async deleteUnusedByUser(userId: string): Promise<number> {
    const { db, codec } = this.#ctx;
    const result = await db
      .deleteFrom('oauth_authorization_codes')
      .where('user_id', '=', userId)
      .where((eb) => eb.or([eb('is_used', '=', codec.bool(false)), eb('is_used', 'is', null)]))
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async deleteExpired(now: Date, limit?: number): Promise<number> {
    const { db, codec } = this.#ctx;
    const expired = codec.time(now);
    const table = 'oauth_authorization_codes';
    const query =
      limit === undefined
        ? db.deleteFrom(table).where('expires_at', '<', expired)
        : db.deleteFrom(table).where('id', 'in', db.selectFrom(table).select('id').where('expires_at', '<', expired).limit(limit));
    return Number((await query.executeTakeFirst()).numDeletedRows);
  }
}
