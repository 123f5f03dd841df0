import type { BackchannelLogoutRepository, LogoutNotice } from '../../repositories/backchannel-logout-repository.js';
import type { RepositoryContext } from './context.js';

/** `BackchannelLogoutRepository` over Kysely. */
export class KyselyBackchannelLogoutRepository implements BackchannelLogoutRepository {
  readonly #ctx: RepositoryContext;

  constructor(ctx: RepositoryContext) {
    this.#ctx = ctx;
  }

  #decode = (row: { id: string; client_id: string; issuer: string; sub: string; sid: string; attempts: number; next_attempt_at: unknown; last_error: string | null }): LogoutNotice => ({
    id: row.id,
    clientId: row.client_id,
    issuer: row.issuer,
    sub: row.sub,
    sid: row.sid,
    attempts: Number(row.attempts),
    nextAttemptAt: this.#ctx.codec.readTime(row.next_attempt_at) ?? new Date(0),
    lastError: row.last_error,
  });

  async recordSession(input: { sid: string; clientId: string; userId: string; issuer: string }, now: Date): Promise<void> {
    const { db, codec } = this.#ctx;
    await db
      .insertInto('authly_logout_sessions')
      .values({ sid: input.sid, client_id: input.clientId, user_id: input.userId, issuer: input.issuer, created_at: codec.time(now) })
      .onConflict((conflict) => conflict.columns(['sid', 'client_id']).doNothing())
      .execute();
  }

  async enqueueForUser(userId: string, now: Date): Promise<number> {
    const { db, codec, ids } = this.#ctx;
    return db.transaction().execute(async (trx) => {
      const sessions = await trx.selectFrom('authly_logout_sessions').selectAll().where('user_id', '=', userId).execute();
      if (sessions.length === 0) return 0;
      await trx
        .insertInto('authly_backchannel_outbox')
        .values(
          sessions.map((s) => ({
            id: ids.uuid(),
            client_id: s.client_id,
            issuer: s.issuer,
            sub: userId,
            sid: s.sid,
            attempts: 0,
            next_attempt_at: codec.time(now),
            last_error: null,
            created_at: codec.time(now),
          })),
        )
        .execute();
      await trx.deleteFrom('authly_logout_sessions').where('user_id', '=', userId).execute();
      return sessions.length;
    });
  }

  async claimDue(now: Date, leaseUntil: Date, limit: number): Promise<LogoutNotice[]> {
    const { db, codec } = this.#ctx;
    const due = await db
      .selectFrom('authly_backchannel_outbox')
      .select(['id', 'next_attempt_at'])
      .where('next_attempt_at', '<=', codec.time(now))
      .orderBy('next_attempt_at')
      .limit(limit)
      .execute();
    const claimed: LogoutNotice[] = [];
    for (const row of due) {
      const taken = await db
        .updateTable('authly_backchannel_outbox')
        .set({ next_attempt_at: codec.time(leaseUntil) })
        .where('id', '=', row.id)
        .where('next_attempt_at', '=', row.next_attempt_at)
        .returningAll()
        .executeTakeFirst();
      if (taken) claimed.push(this.#decode(taken));
    }
    return claimed;
  }

  async remove(id: string): Promise<void> {
    await this.#ctx.db.deleteFrom('authly_backchannel_outbox').where('id', '=', id).execute();
  }

  async retryLater(id: string, attempts: number, nextAttemptAt: Date, error: string): Promise<void> {
    await this.#ctx.db
      .updateTable('authly_backchannel_outbox')
      .set({ attempts, next_attempt_at: this.#ctx.codec.time(nextAttemptAt), last_error: error.slice(0, 500) })
      .where('id', '=', id)
      .execute();
  }

  async pending(): Promise<LogoutNotice[]> {
    const rows = await this.#ctx.db.selectFrom('authly_backchannel_outbox').selectAll().orderBy('created_at').execute();
    return rows.map(this.#decode);
  }
}
