import type { NewSigningKey, PublicJwk, SigningKey } from '../../domain/signing-key.js';
import type { SigningKeyRepository } from '../../repositories/signing-key-repository.js';
import { sql } from 'kysely';
import { translated, type RepositoryContext } from './context.js';
import { decodeRow, encodeRow, type FieldMap } from './row-mapper.js';

/** First key of the PostgreSQL advisory-lock pair (the second is the algorithm's hash): "AUKY". */
const FIRST_KEY_LOCK = 0x41554b59;

const KEY_FIELDS: FieldMap<SigningKey> = {
  kid: ['kid', 'plain'],
  keyData: ['key_data', 'json'],
  keyType: ['key_type', 'plain'],
  algorithm: ['algorithm', 'plain'],
  keyUse: ['key_use', 'plain'],
  isActive: ['is_active', 'bool'],
  createdAt: ['created_at', 'time'],
  expiresAt: ['expires_at', 'time'],
  keySize: ['key_size', 'plain'],
  curve: ['curve', 'plain'],
  privateKeyData: ['private_key_data', 'plain'],
};

/** `SigningKeyRepository` over Kysely (`oidc_jwks_keys` plus `private_key_data`). */
export class KyselySigningKeyRepository implements SigningKeyRepository {
  readonly #ctx: RepositoryContext;

  constructor(ctx: RepositoryContext) {
    this.#ctx = ctx;
  }

  #decode = (row: Record<string, unknown>): SigningKey => {
    const key = decodeRow(KEY_FIELDS, this.#ctx.codec, row);
    key.isActive ??= true;
    key.keyData = key.keyData as PublicJwk;
    return key;
  };

  async add(input: NewSigningKey): Promise<SigningKey> {
    const inserted = await translated(this.#ctx, () =>
      this.#ctx.db.insertInto('oidc_jwks_keys').values(this.#encode(input)).returningAll().executeTakeFirstOrThrow(),
    );
    return this.#decode(inserted);
  }

  /**
   * One transaction on one connection that first takes the algorithm's write lock — a
   * transaction-scoped advisory lock on PostgreSQL, `BEGIN IMMEDIATE` (the database write lock) on
   * SQLite — then inserts only if no active key of the algorithm exists. The second instance waits
   * for the first to commit and then sees its key.
   */
  async addFirst(input: NewSigningKey): Promise<SigningKey | undefined> {
    const { codec, db } = this.#ctx;
    const row = this.#encode(input);
    return db.connection().execute(async (conn) => {
      if (codec.flavour === 'postgresql') {
        await sql`BEGIN`.execute(conn);
      } else {
        await sql`BEGIN IMMEDIATE`.execute(conn);
      }
      try {
        if (codec.flavour === 'postgresql') {
          await sql`SELECT pg_advisory_xact_lock(${FIRST_KEY_LOCK}, hashtext(${input.algorithm}))`.execute(conn);
        }
        const existing = await conn
          .selectFrom('oidc_jwks_keys')
          .select('kid')
          .where('algorithm', '=', input.algorithm)
          .where('is_active', '=', codec.bool(true))
          .executeTakeFirst();
        const inserted = existing ? undefined : await conn.insertInto('oidc_jwks_keys').values(row).returningAll().executeTakeFirstOrThrow();
        await sql`COMMIT`.execute(conn);
        return inserted && this.#decode(inserted);
      } catch (error) {
        await sql`ROLLBACK`.execute(conn).catch(() => undefined);
        throw codec.translateError(error);
      }
    });
  }

  #encode(input: NewSigningKey): never {
    const { codec, clock } = this.#ctx;
    const row = encodeRow(KEY_FIELDS, codec, {
      keyUse: 'sig',
      isActive: true,
      createdAt: clock.now(),
      expiresAt: null,
      keySize: null,
      curve: null,
      privateKeyData: null,
      ...input,
    });
    return row as never;
  }

  async findByKid(kid: string): Promise<SigningKey | undefined> {
    const row = await this.#ctx.db.selectFrom('oidc_jwks_keys').selectAll().where('kid', '=', kid).executeTakeFirst();
    return row && this.#decode(row);
  }

  async listActive(): Promise<SigningKey[]> {
    const rows = await this.#ctx.db
      .selectFrom('oidc_jwks_keys')
      .selectAll()
      .where('is_active', '=', this.#ctx.codec.bool(true))
      .orderBy('created_at', 'desc')
      .orderBy('kid')
      .execute();
    return rows.map(this.#decode);
  }

  async list(): Promise<SigningKey[]> {
    const rows = await this.#ctx.db.selectFrom('oidc_jwks_keys').selectAll().orderBy('created_at', 'desc').orderBy('kid').execute();
    return rows.map(this.#decode);
  }

  async retire(kid: string, publishUntil: Date): Promise<boolean> {
    const { db, codec } = this.#ctx;
    const result = await db
      .updateTable('oidc_jwks_keys')
      .set({ is_active: codec.bool(false), expires_at: codec.time(publishUntil) })
      .where('kid', '=', kid)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async deleteExpired(now: Date): Promise<number> {
    const { db, codec } = this.#ctx;
    const result = await db
      .deleteFrom('oidc_jwks_keys')
      .where('is_active', '=', codec.bool(false))
      .where('expires_at', '<', codec.time(now))
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
