import type { RegistrationRepository } from '../../repositories/registration-repository.js';
import type { RepositoryContext } from './context.js';

/** `RegistrationRepository` over Kysely. */
export class KyselyRegistrationRepository implements RegistrationRepository {
  readonly #ctx: RepositoryContext;

  constructor(ctx: RepositoryContext) {
    this.#ctx = ctx;
  }

  async saveInitialAccessToken(tokenHash: string, uses: number, expiresAt: Date): Promise<void> {
    const { db, codec, clock } = this.#ctx;
    await db
      .insertInto('authly_initial_access_tokens')
      .values({ token_hash: tokenHash, uses_remaining: uses, expires_at: codec.time(expiresAt), created_at: codec.time(clock.now()) })
      .execute();
  }

  async useInitialAccessToken(tokenHash: string, now: Date): Promise<boolean> {
    const { db, codec } = this.#ctx;
    // One conditional UPDATE: of concurrent registrations, no more than `uses` succeed.
    const result = await db
      .updateTable('authly_initial_access_tokens')
      .set((eb) => ({ uses_remaining: eb('uses_remaining', '-', 1) }))
      .where('token_hash', '=', tokenHash)
      .where('uses_remaining', '>', 0)
      .where('expires_at', '>', codec.time(now))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async setRegistrationToken(clientId: string, tokenHash: string): Promise<void> {
    const { db, codec, clock } = this.#ctx;
    await db
      .insertInto('authly_client_registrations')
      .values({ client_id: clientId, access_token_hash: tokenHash, created_at: codec.time(clock.now()) })
      .onConflict((conflict) => conflict.column('client_id').doUpdateSet({ access_token_hash: tokenHash }))
      .execute();
  }

  async findRegistrationToken(clientId: string): Promise<string | undefined> {
    const row = await this.#ctx.db.selectFrom('authly_client_registrations').select('access_token_hash').where('client_id', '=', clientId).executeTakeFirst();
    return row?.access_token_hash;
  }

  async deleteRegistrationToken(clientId: string): Promise<void> {
    await this.#ctx.db.deleteFrom('authly_client_registrations').where('client_id', '=', clientId).execute();
  }
}
