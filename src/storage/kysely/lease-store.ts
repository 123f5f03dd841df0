import type { LeaseStore } from '../storage.js';
import type { RepositoryContext } from './context.js';

/**
 * `authly_leases` through one upsert: insert the lease, or take it over only if its term has
 * ended (`ON CONFLICT … DO UPDATE … WHERE`). PostgreSQL and SQLite both run the conflict check
 * and the update atomically, and `RETURNING` yields a row only when this call wrote it.
 */
export class KyselyLeaseStore implements LeaseStore {
  readonly #ctx: Pick<RepositoryContext, 'db' | 'codec'>;

  constructor(ctx: Pick<RepositoryContext, 'db' | 'codec'>) {
    this.#ctx = ctx;
  }

  async acquire(name: string, holder: string, now: Date, until: Date): Promise<boolean> {
    const { db, codec } = this.#ctx;
    const taken = await db
      .insertInto('authly_leases')
      .values({ name, holder, expires_at: codec.time(until) })
      .onConflict((conflict) =>
        conflict
          .column('name')
          .doUpdateSet((eb) => ({ holder: eb.ref('excluded.holder'), expires_at: eb.ref('excluded.expires_at') }))
          .where('authly_leases.expires_at', '<=', codec.time(now)),
      )
      .returning('holder')
      .executeTakeFirst();
    return taken !== undefined;
  }
}
