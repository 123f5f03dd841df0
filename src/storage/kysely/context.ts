import type { Kysely } from 'kysely';
import type { Clock, IdGenerator } from '../../repositories/ports.js';
import type { Codec } from './codec.js';
import type { Database } from './database.js';

/** What every Kysely repository is built from. */
export interface RepositoryContext {
  readonly db: Kysely<Database>;
  readonly codec: Codec;
  readonly clock: Clock;
  readonly ids: IdGenerator;
}

/** Runs a statement and maps unique/foreign-key violations to typed errors. */
export async function translated<T>(ctx: RepositoryContext, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw ctx.codec.translateError(err);
  }
}

/** Rows of a table with an `is_active` flag, and how many of them are active (one scan). */
export async function totalAndActive(ctx: RepositoryContext, table: 'users' | 'oauth_clients'): Promise<{ total: number; active: number }> {
  const row = await ctx.db
    .selectFrom(table)
    .select((eb) => [
      eb.fn.countAll().as('total'),
      eb.fn.sum(eb.case().when('is_active', '=', ctx.codec.bool(true)).then(1).else(0).end()).as('active'),
    ])
    .executeTakeFirstOrThrow();
  return { total: toCount(row.total), active: toCount(row.active) };
}

/** `count(*)` comes back as a string from pg (bigint) and a number from SQLite. */
export function toCount(value: unknown): number {
  return Number(value ?? 0);
}

/** Escapes `%`, `_` and `\` so user text matches literally in `LIKE … ESCAPE '\'`. */
export function likePattern(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
