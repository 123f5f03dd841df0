import type { TokenRecord } from '../domain/token.js';
import type { User } from '../domain/user.js';
import type { Repositories } from '../repositories/repositories.js';
import { accountProblem } from './account-standing.js';

/** Who a live token acts for; `user` is `undefined` for client_credentials tokens. */
export interface TokenHolder {
  user: User | undefined;
}

/**
 * Whether a live token may still be honoured: its user must exist and be active and verified,
 * and the client it was issued to must still be active. Both are read at every use (from the
 * cache, which every write invalidates), so deactivating either takes effect at once even for a
 * token whose row was somehow missed by the revocation. `undefined` when the token is dead.
 */
export async function tokenHolder(record: TokenRecord, repos: Repositories): Promise<TokenHolder | undefined> {
  if (record.clientId !== null) {
    const client = await repos.clients.findById(record.clientId);
    if (!client?.isActive) return undefined;
  }
  if (record.userId === null) return { user: undefined };
  const user = await repos.users.findById(record.userId);
  if (!user || accountProblem(user)) return undefined;
  return { user };
}
