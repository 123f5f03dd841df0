import type { SelectQueryBuilder } from 'kysely';
import type { RecordedAuditEvent } from '../../audit/events.js';
import type { AuditEventQuery, AuditEventRepository } from '../../repositories/audit-event-repository.js';
import type { Codec } from './codec.js';
import { toCount } from './context.js';
import type { Database } from './database.js';
import type { Kysely } from 'kysely';

type Filter = Omit<AuditEventQuery, 'limit' | 'offset'>;

/** `AuditEventRepository` over Kysely; times compare as timestamps (PostgreSQL) or ISO text (SQLite). */
export class KyselyAuditEventRepository implements AuditEventRepository {
  readonly #db: Kysely<Database>;
  readonly #codec: Codec;

  constructor(ctx: { db: Kysely<Database>; codec: Codec }) {
    this.#db = ctx.db;
    this.#codec = ctx.codec;
  }

  async insertMany(events: readonly RecordedAuditEvent[]): Promise<void> {
    if (events.length === 0) return;
    const codec = this.#codec;
    await this.#db
      .insertInto('audit_events')
      .values(
        events.map((e) => ({
          id: e.id,
          event: e.event,
          occurred_at: codec.time(e.occurredAt),
          user_id: e.userId,
          client_id: e.clientId,
          actor_id: e.actorId,
          request_id: e.requestId,
          details: codec.json(e.details),
        })),
      )
      .execute();
  }

  async list(query: AuditEventQuery): Promise<RecordedAuditEvent[]> {
    const rows = await this.#filtered(this.#db.selectFrom('audit_events').selectAll(), query)
      .orderBy('occurred_at', 'desc')
      .orderBy('id', 'desc')
      .limit(query.limit)
      .offset(query.offset)
      .execute();
    const codec = this.#codec;
    return rows.map((row) => ({
      id: row.id,
      event: row.event,
      occurredAt: codec.readTime(row.occurred_at) ?? new Date(0),
      userId: row.user_id,
      clientId: row.client_id,
      actorId: row.actor_id,
      requestId: row.request_id,
      details: (codec.readJson(row.details) ?? {}) as Record<string, unknown>,
    }));
  }

  async count(filter: Filter): Promise<number> {
    const row = await this.#filtered(this.#db.selectFrom('audit_events').select((eb) => eb.fn.countAll().as('n')), filter).executeTakeFirstOrThrow();
    return toCount(row.n);
  }

  async deleteOlderThan(before: Date, limit: number): Promise<number> {
    const db = this.#db;
    const cutoff = this.#codec.time(before);
    const oldest = db.selectFrom('audit_events').select('id').where('occurred_at', '<', cutoff).limit(limit);
    const result = await db.deleteFrom('audit_events').where('id', 'in', oldest).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  #filtered<O>(query: SelectQueryBuilder<Database, 'audit_events', O>, filter: Filter): SelectQueryBuilder<Database, 'audit_events', O> {
    let q = query;
    if (filter.userId !== undefined) q = q.where('user_id', '=', filter.userId);
    if (filter.clientId !== undefined) q = q.where('client_id', '=', filter.clientId);
    if (filter.event !== undefined) q = q.where('event', '=', filter.event);
    if (filter.from !== undefined) q = q.where('occurred_at', '>=', this.#codec.time(filter.from));
    if (filter.to !== undefined) q = q.where('occurred_at', '<', this.#codec.time(filter.to));
    return q;
  }
}
