import { credentialDigest } from '../../crypto/digest.js';
import type { SchemaOrigin } from './version.js';
import type { WireRow } from './values.js';

const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const BCRYPT = /^\$2[aby]\$\d\d\$/;

/** What adopting a Python Authly database found and changed, for the report. */
export interface AdoptionStats {
  bcryptPasswords: number;
  bcryptClientSecrets: number;
  digestedTokens: number;
}

/** Fresh counters. */
export function emptyAdoptionStats(): AdoptionStats {
  return { bcryptPasswords: 0, bcryptClientSecrets: 0, digestedTokens: 0 };
}

/**
 * The per-row mapping from Python Authly's rows onto ours, or undefined when there is none.
 * Authly stored every token's full JWT in `tokens.token_value`; this server stores its SHA-256
 * digest (the value the token service compares), so no usable credential is written to the
 * target. Password and client-secret hashes are kept as they are (bcrypt is verified at login
 * and replaced on success) and only counted.
 */
export function adoptionMapper(origin: SchemaOrigin, table: string, columns: readonly string[], stats: AdoptionStats): ((row: WireRow) => void) | undefined {
  if (origin !== 'authly-python') return undefined;
  const at = (name: string) => columns.indexOf(name);
  if (table === 'tokens' && at('token_value') >= 0) {
    const index = at('token_value');
    return (row) => {
      const value = row[index];
      if (typeof value === 'string' && JWT.test(value)) {
        row[index] = credentialDigest(value);
        stats.digestedTokens++;
      }
    };
  }
  if (table === 'users' && at('password_hash') >= 0) {
    const index = at('password_hash');
    return (row) => {
      if (typeof row[index] === 'string' && BCRYPT.test(row[index])) stats.bcryptPasswords++;
    };
  }
  if (table === 'oauth_clients' && at('client_secret_hash') >= 0) {
    const index = at('client_secret_hash');
    return (row) => {
      if (typeof row[index] === 'string' && BCRYPT.test(row[index])) stats.bcryptClientSecrets++;
    };
  }
  return undefined;
}

/** What an operator must know after adopting a Python Authly database. */
export function adoptionNotes(stats: AdoptionStats): string[] {
  return [
    `${stats.bcryptPasswords} bcrypt password hashes kept: each is verified at the user's next login and replaced by an argon2id hash on success`,
    `${stats.bcryptClientSecrets} bcrypt client-secret hashes kept: each is verified when the client authenticates and replaced by this server's keyed hash on success`,
    'Python Authly kept its signing key in memory (there is no key to copy) and signed access and refresh tokens HS256 with JWT_SECRET_KEY and JWT_REFRESH_SECRET_KEY',
    `${stats.digestedTokens} tokens copied with their JWT replaced by its SHA-256 digest; this server does not accept tokens Python Authly issued, so users and clients sign in again`,
    'to keep issuing HS256 tokens that resource servers verify with the same secrets, start this server with JWT_ALGORITHM=HS256 and the same JWT_SECRET_KEY and JWT_REFRESH_SECRET_KEY',
  ];
}
