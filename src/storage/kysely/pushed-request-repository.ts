import type { PushedRequest, PushedRequestRepository } from '../../repositories/pushed-request-repository.js';
import { translated, type RepositoryContext } from './context.js';

/** `PushedRequestRepository` over Kysely; `take` is one `DELETE … RETURNING`. */
export class KyselyPushedRequestRepository implements PushedRequestRepository {
  readonly #ctx: RepositoryContext;

  constructor(ctx: RepositoryContext) {
    this.#ctx = ctx;
  }

  async save(request: PushedRequest): Promise<void> {
    const { db, codec } = this.#ctx;
    await translated(this.#ctx, () =>
      db
        .insertInto('oauth_pushed_requests')
        .values({
          request_uri_hash: request.requestUriHash,
          client_id: request.clientId,
          parameters: codec.json(request.parameters),
          expires_at: codec.time(request.expiresAt),
          created_at: codec.time(request.createdAt),
        })
        .execute(),
    );
  }

  async take(requestUriHash: string, clientId: string): Promise<PushedRequest | undefined> {
    const { db, codec } = this.#ctx;
    const row = await db
      .deleteFrom('oauth_pushed_requests')
      .where('request_uri_hash', '=', requestUriHash)
      .where('client_id', '=', clientId)
      .returningAll()
      .executeTakeFirst();
    if (!row) return undefined;
    return {
      requestUriHash: row.request_uri_hash,
      clientId: row.client_id,
      parameters: codec.readJson(row.parameters) as Record<string, string>,
      expiresAt: codec.readTime(row.expires_at) ?? new Date(0),
      createdAt: codec.readTime(row.created_at) ?? new Date(0),
    };
  }

  async deleteExpired(now: Date, limit: number): Promise<number> {
    const { db, codec } = this.#ctx;
    const table = 'oauth_pushed_requests';
    const expired = db.selectFrom(table).select('request_uri_hash').where('expires_at', '<', codec.time(now)).limit(limit);
    const result = await db.deleteFrom(table).where('request_uri_hash', 'in', expired).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
