import type { TokenStatements } from '../kysely/token-repository.js';
import type { SqliteGroupCommit } from './group-commit.js';
import type { SqliteKeyLookup } from './key-lookup.js';

/**
 * The compare-and-set that spends a token (`TokenRepository.invalidate`): only the caller whose
 * UPDATE still finds `invalidated` at its valid value flips it (one rotation of a refresh token,
 * RFC 9700 §4.14.2).
 */
const INVALIDATE_BY_JTI = 'UPDATE "tokens" SET "invalidated" = ?, "invalidated_at" = ? WHERE "token_jti" = ? AND "invalidated" = ?';

/**
 * The token repository's hot statements on SQLite's one connection: new rows and the
 * compare-and-set by `jti` join the group commit of their event-loop turn, so a refresh-token
 * rotation no longer pays a commit of its own for spending the old token; the lookups by `jti`
 * and of a family's revocation marker (read by every rotation after its insert) are statements
 * prepared once.
 */
export function sqliteTokenStatements(groupCommit: SqliteGroupCommit, byJti: SqliteKeyLookup, familyRevocation: SqliteKeyLookup): TokenStatements {
  return {
    writeRows: groupCommit.write,
    readByJti: byJti.find,
    readFamilyRevocation: familyRevocation.find,
    invalidateByJti: async (jti, set) => (await groupCommit.change(INVALIDATE_BY_JTI, [set.invalidated, set.invalidatedAt, jti, set.valid])) > 0,
  };
}
