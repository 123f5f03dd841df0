import type { NewSigningKey, PublicJwk, SigningKey } from '../../domain/signing-key.js';
import type { SigningKeyRepository } from '../../repositories/signing-key-repository.js';
import { translated, type RepositoryContext } from './context.js';
import { decodeRow, encodeRow, type FieldMap } from './row-mapper.js';

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

/** `SigningKeyRepository` over Kysely (spec §7.8 plus `private_key_data`). */
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
    const { codec, clock, db } = this.#ctx;
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
    const inserted = await translated(this.#ctx, () =>
      db.insertInto('oidc_jwks_keys').values(row as never).returningAll().executeTakeFirstOrThrow(),
    );
    return this.#decode(inserted);
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
