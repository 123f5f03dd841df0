import { sql } from 'kysely';
import type { Migration } from 'kysely';
import type { MigrationDb, SqlFlavour } from './flavour.js';

/** Key types we sign with: RSA, EC (P-256) and OKP (Ed25519, RFC 8037); `oct` stays for Authly's HS256. */
export const KEY_TYPES = ['RSA', 'EC', 'oct', 'OKP'] as const;
/** Algorithms a key or a client's ID token may use (RFC 7518 §3.1, RFC 8037 §3.1). */
export const SIGNING_ALGORITHMS = ['RS256', 'ES256', 'HS256', 'EdDSA'] as const;

const list = (values: readonly string[]) => sql.raw(values.map((v) => `'${v}'`).join(', '));

/**
 * Widens Authly's CHECKs, which allow only RS256/ES256/HS256 and RSA/EC/oct, so
 * that EdDSA keys can be stored and clients can ask for EdDSA ID tokens. PostgreSQL named
 * the inline CHECKs `<table>_<column>_check`, in Authly's databases as in ours, so they are
 * replaced by name. SQLite cannot alter a CHECK; no SQLite database predates this project, so the
 * SQLite baseline already carries the wide lists and this migration is a no-op there.
 */
export function signingAlgorithms(flavour: SqlFlavour): Migration {
  return {
    async up(db: MigrationDb): Promise<void> {
      if (flavour !== 'postgresql') return;
      await sql`ALTER TABLE oidc_jwks_keys
        DROP CONSTRAINT IF EXISTS oidc_jwks_keys_key_type_check,
        ADD CONSTRAINT oidc_jwks_keys_key_type_check CHECK (key_type IN (${list(KEY_TYPES)})),
        DROP CONSTRAINT IF EXISTS oidc_jwks_keys_algorithm_check,
        ADD CONSTRAINT oidc_jwks_keys_algorithm_check CHECK (algorithm IN (${list(SIGNING_ALGORITHMS)}))`.execute(db);
      await sql`ALTER TABLE oauth_clients
        DROP CONSTRAINT IF EXISTS oauth_clients_id_token_signed_response_alg_check,
        ADD CONSTRAINT oauth_clients_id_token_signed_response_alg_check
          CHECK (id_token_signed_response_alg IN (${list(SIGNING_ALGORITHMS)}))`.execute(db);
    },
  };
}
