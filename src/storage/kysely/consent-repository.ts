import type { Consent, ConsentListing } from '../../domain/consent.js';
import { ConflictError } from '../../repositories/errors.js';
import type { ConsentRepository } from '../../repositories/consent-repository.js';
import { translated, type RepositoryContext } from './context.js';

/** How many times `remember` tries: each round at least one of the racing calls wins, so this many racers all finish. */
const REMEMBER_ATTEMPTS = 10;

/** `ConsentRepository` over Kysely; scopes are stored space-separated, in the order first granted. */
export class KyselyConsentRepository implements ConsentRepository {
  readonly #ctx: RepositoryContext;

  constructor(ctx: RepositoryContext) {
    this.#ctx = ctx;
  }

  #decode = (row: { id: string; user_id: string; client_id: string; scopes: string; created_at: unknown; revoked_at: unknown }): Consent => ({
    id: row.id,
    userId: row.user_id,
    clientId: row.client_id,
    scopes: row.scopes.split(' ').filter((name) => name !== ''),
    createdAt: this.#ctx.codec.readTime(row.created_at) ?? new Date(0),
    revokedAt: this.#ctx.codec.readTime(row.revoked_at),
  });

  async findLive(userId: string, clientId: string): Promise<Consent | undefined> {
    const row = await this.#ctx.db
      .selectFrom('oauth_consents')
      .selectAll()
      .where('user_id', '=', userId)
      .where('client_id', '=', clientId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return row && this.#decode(row);
  }

  /**
   * Read, then widen or insert. The partial unique index on (user_id, client_id) of live rows
   * makes a concurrent insert fail with a conflict, and the widening UPDATE only matches a row
   * still live and unchanged, so a lost race is retried on what the other call wrote.
   */
  async remember(userId: string, clientId: string, scopes: readonly string[], now: Date): Promise<Consent> {
    const { db, codec, ids } = this.#ctx;
    for (let attempt = 1; ; attempt++) {
      const live = await this.findLive(userId, clientId);
      if (live) {
        const merged = [...new Set([...live.scopes, ...scopes])];
        if (merged.length === live.scopes.length) return live;
        const updated = await db
          .updateTable('oauth_consents')
          .set({ scopes: merged.join(' ') })
          .where('id', '=', live.id)
          .where('scopes', '=', live.scopes.join(' '))
          .where('revoked_at', 'is', null)
          .returningAll()
          .executeTakeFirst();
        if (updated) return this.#decode(updated);
      } else {
        try {
          const inserted = await translated(this.#ctx, () =>
            db
              .insertInto('oauth_consents')
              .values({ id: ids.uuid(), user_id: userId, client_id: clientId, scopes: [...new Set(scopes)].join(' '), created_at: codec.time(now), revoked_at: null })
              .returningAll()
              .executeTakeFirstOrThrow(),
          );
          return this.#decode(inserted);
        } catch (error) {
          if (!(error instanceof ConflictError) || attempt >= REMEMBER_ATTEMPTS) throw error;
        }
      }
      if (attempt >= REMEMBER_ATTEMPTS) throw new ConflictError('the consent changed concurrently', 'oauth_consents');
    }
  }

  async listLive(userId: string): Promise<ConsentListing[]> {
    const rows = await this.#ctx.db
      .selectFrom('oauth_consents')
      .innerJoin('oauth_clients', 'oauth_clients.id', 'oauth_consents.client_id')
      .selectAll('oauth_consents')
      .select(['oauth_clients.client_id as client_identifier', 'oauth_clients.client_name as client_name'])
      .where('oauth_consents.user_id', '=', userId)
      .where('oauth_consents.revoked_at', 'is', null)
      .orderBy('oauth_consents.created_at')
      .orderBy('oauth_consents.id')
      .execute();
    return rows.map((row) => ({ ...this.#decode(row), clientIdentifier: row.client_identifier, clientName: row.client_name }));
  }

  async revoke(userId: string, id: string, now: Date): Promise<Consent | undefined> {
    const row = await this.#ctx.db
      .updateTable('oauth_consents')
      .set({ revoked_at: this.#ctx.codec.time(now) })
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .returningAll()
      .executeTakeFirst();
    return row && this.#decode(row);
  }
}
