/**
 * Fills a database through the repositories with the rows `authly db seed` generates (users with
 * their profile claims, tokens per user). Used where the seed cannot write: the `memory` backend
 * lives inside one process, so its rows must be created there.
 */
import type { Address, NewUser } from '../../src/domain/user.js';
import type { NewToken, TokenType } from '../../src/domain/token.js';
import type { Repositories } from '../../src/repositories/repositories.js';
import { seedTables } from '../../src/storage/transfer/seed-rows.js';

/** What {@link fillThroughRepositories} writes. */
export interface FillPlan {
  users: number;
  tokensPerUser: number;
  passwordHash: string;
  seed: number;
  now: Date;
}

type Row = Record<string, unknown>;

function named(columns: { name: string }[], values: unknown[]): Row {
  return Object.fromEntries(columns.map((column, i) => [column.name, values[i]]));
}

const camel = (name: string) => name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
const date = (value: unknown) => (value === null ? null : new Date(value as string));

function newUser(row: Row): NewUser {
  const user: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(row)) user[camel(name)] = value;
  // Columns the repository sets itself, or that a new user cannot have.
  for (const name of ['createdAt', 'updatedAt', 'sessionEpoch']) delete user[name];
  user.lastLogin = date(row.last_login);
  user.address = row.address === null ? null : (JSON.parse(row.address as string) as Address);
  return user as unknown as NewUser;
}

function newToken(row: Row): NewToken {
  return {
    id: row.id as string,
    userId: row.user_id as string,
    jti: row.token_jti as string,
    tokenType: row.token_type as TokenType,
    tokenValue: row.token_value as string,
    expiresAt: new Date(row.expires_at as string),
    scope: row.scope as string,
    createdByIp: row.created_by_ip as string,
    userAgent: row.user_agent as string,
    grantId: row.grant_id as string,
  };
}

/**
 * Creates the seed's users and their tokens through `repos`, `plan.seed` giving the same ids as
 * `authly db seed` with that seed. Tokens carry no client (the seed's clients are not created).
 */
export async function fillThroughRepositories(repos: Repositories, plan: FillPlan): Promise<void> {
  const tables = seedTables(plan);
  for (const table of tables) {
    if (table.name !== 'users' && table.name !== 'tokens') continue;
    for await (const batch of table.rows(1000)) {
      // A batch at once: token rows of one event-loop turn share one commit (the SQLite group
      // commit), and no batch waits a turn per row.
      await Promise.all(
        batch.map((values) => {
          const row = named(table.columns, values);
          return table.name === 'users' ? repos.users.create(newUser(row)) : repos.tokens.save(newToken(row));
        }),
      );
    }
  }
}
