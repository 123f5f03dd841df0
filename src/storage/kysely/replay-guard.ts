import type { ReplayGuard } from '../../repositories/replay-guard.js';
import type { RepositoryContext } from './context.js';

/**
 * `authly_replay_guards` through one upsert, as the lease store does: insert the key, or take
 * over a record whose term has ended (`ON CONFLICT … DO UPDATE … WHERE`). `RETURNING` yields a
 * row only when this call wrote it, on PostgreSQL and SQLite alike.
 */
export class KyselyReplayGuard implements ReplayGuard {
  readonly #ctx: Pick<RepositoryContext, 'db' | 'codec'>;

  constructor(ctx: Pick<RepositoryContext, 'db' | 'codec'>) {
    this.#ctx = ctx;
  }

  async firstUse(key: string, expiresAt: Date, now: Date): Promise<boolean> {
    const { db, codec } = this.#ctx;
    const written = await db
      .insertInto('authly_replay_guards')
      .values({ guard_key: key, expires_at: codec.time(expiresAt) })
      .onConflict((conflict) =>
        conflict
          .column('guard_key')
          .doUpdateSet((eb) => ({ expires_at: eb.ref('excluded.expires_at') }))
          .where('authly_replay_guards.expires_at', '<=', codec.time(now)),
      )
      .returning('guard_key')
      .executeTakeFirst();
    return written !== undefined;
  }

  async deleteExpired(now: Date, limit: number): Promise<number> {
    const { db, codec } = this.#ctx;
    const table = 'authly_replay_guards';
    const expired = db.selectFrom(table).select('guard_key').where('expires_at', '<', codec.time(now)).limit(limit);
    const result = await db.deleteFrom(table).where('guard_key', 'in', expired).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
