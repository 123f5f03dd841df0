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

/** `count(*)` comes back as a string from pg (bigint) and a number from SQLite. */
export function toCount(value: unknown): number {
  return Number(value ?? 0);
}

/** Escapes `%`, `_` and `\` so user text matches literally in `LIKE … ESCAPE '\'`. */
export function likePattern(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
