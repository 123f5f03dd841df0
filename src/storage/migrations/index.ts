import type { Migration, MigrationProvider } from 'kysely';
import { authlyBaseline } from './2025-01-01T0000-authly-baseline.js';
import type { BaselineHooks } from './2025-01-01T0000-authly-baseline.js';
import { signingKeyPrivateMaterial } from './2025-01-02T0000-signing-key-private-material.js';
import { tokenGrants } from './2025-01-03T0000-token-grants.js';
import { signingAlgorithms } from './2025-01-04T0000-signing-algorithms.js';
import { codeAuthTime } from './2025-01-05T0000-code-auth-time.js';
import { userSessionEpoch } from './2025-01-06T0000-user-session-epoch.js';
import { tokenFamilyRevocations } from './2025-01-07T0000-token-family-revocations.js';
import { sqliteJsonChecks } from './2025-01-08T0000-sqlite-json-checks.js';
import { leases } from './2025-01-09T0000-leases.js';
import { auditEvents } from './2025-01-10T0000-audit-events.js';
import { oauthConsents } from './2025-01-11T0000-oauth-consents.js';
import { parDpopPrivateKeyJwt } from './2025-01-12T0000-par-dpop-private-key-jwt.js';
import { deviceCodes } from './2025-01-13T0000-device-codes.js';
import { clientBackchannelLogout } from './2025-01-13T0001-client-backchannel-logout.js';
import { clientRegistration } from './2025-01-13T0002-client-registration.js';
import { backchannelLogout } from './2025-01-13T0003-backchannel-logout.js';
import { sqliteTokenIndexes } from './2025-01-14T0000-sqlite-token-indexes.js';
import type { SqlFlavour } from './flavour.js';

export type { MigrationDb, SqlFlavour } from './flavour.js';
export type { BaselineHooks } from './2025-01-01T0000-authly-baseline.js';

/** Name of the baseline migration; the one that may adopt an existing database. */
export const BASELINE_MIGRATION = '2025-01-01T0000-authly-baseline';
/** Name of the migration adding `oidc_jwks_keys.private_key_data`. */
export const SIGNING_KEY_MIGRATION = '2025-01-02T0000-signing-key-private-material';
/** Name of the migration adding token families (`tokens.grant_id`) and user-less tokens. */
export const TOKEN_GRANTS_MIGRATION = '2025-01-03T0000-token-grants';
/** Name of the migration widening the algorithm and key-type CHECKs (EdDSA). */
export const SIGNING_ALGORITHMS_MIGRATION = '2025-01-04T0000-signing-algorithms';
/** Name of the migration adding `oauth_authorization_codes.auth_time` (OIDC `auth_time`). */
export const CODE_AUTH_TIME_MIGRATION = '2025-01-05T0000-code-auth-time';
/** Name of the migration adding `users.session_epoch` (revocable browser sessions). */
export const USER_SESSION_EPOCH_MIGRATION = '2025-01-06T0000-user-session-epoch';
/** Name of the migration adding `token_family_revocations` (durable family revocation markers). */
export const TOKEN_FAMILY_REVOCATIONS_MIGRATION = '2025-01-07T0000-token-family-revocations';
/** Name of the migration making SQLite's JSON CHECKs NULL-safe on every SQLite version. */
export const SQLITE_JSON_CHECKS_MIGRATION = '2025-01-08T0000-sqlite-json-checks';
/** Name of the migration adding `authly_leases` (one pruning instance at a time). */
export const LEASES_MIGRATION = '2025-01-09T0000-leases';
/** Name of the migration adding `audit_events` (the database audit sink). */
export const AUDIT_EVENTS_MIGRATION = '2025-01-10T0000-audit-events';
/** Name of the migration adding `oauth_consents` and `consent_id` on codes and tokens (remembered consent). */
export const OAUTH_CONSENTS_MIGRATION = '2025-01-11T0000-oauth-consents';
/** Name of the migration adding client JWK Sets, the PAR and DPoP flags, pushed requests and replay guards. */
export const PAR_DPOP_MIGRATION = '2025-01-12T0000-par-dpop-private-key-jwt';
/** Name of the migration adding `authly_device_codes` (RFC 8628 device authorization). */
export const DEVICE_CODES_MIGRATION = '2025-01-13T0000-device-codes';
/** Name of the migration adding the clients' back-channel logout columns. */
export const CLIENT_BACKCHANNEL_LOGOUT_MIGRATION = '2025-01-13T0001-client-backchannel-logout';
/** Name of the migration adding initial access tokens and registration access tokens (RFC 7591/7592). */
export const CLIENT_REGISTRATION_MIGRATION = '2025-01-13T0002-client-registration';
/** Name of the migration adding code `sid`, logout sessions and the back-channel logout outbox. */
export const BACKCHANNEL_LOGOUT_MIGRATION = '2025-01-13T0003-backchannel-logout';
/** Name of the migration dropping and narrowing SQLite's indexes on `tokens` (PostgreSQL unchanged). */
export const SQLITE_TOKEN_INDEXES_MIGRATION = '2025-01-14T0000-sqlite-token-indexes';

/**
 * Every migration by name. Kysely runs them in name order, which is why names start with a
 * timestamp; a new migration must sort after every existing one.
 */
export function authlyMigrations(flavour: SqlFlavour, hooks: BaselineHooks = {}): Record<string, Migration> {
  return {
    [BASELINE_MIGRATION]: authlyBaseline(flavour, hooks),
    [SIGNING_KEY_MIGRATION]: signingKeyPrivateMaterial(flavour),
    [TOKEN_GRANTS_MIGRATION]: tokenGrants(flavour),
    [SIGNING_ALGORITHMS_MIGRATION]: signingAlgorithms(flavour),
    [CODE_AUTH_TIME_MIGRATION]: codeAuthTime(flavour),
    [USER_SESSION_EPOCH_MIGRATION]: userSessionEpoch(flavour),
    [TOKEN_FAMILY_REVOCATIONS_MIGRATION]: tokenFamilyRevocations(flavour),
    [SQLITE_JSON_CHECKS_MIGRATION]: sqliteJsonChecks(flavour),
    [LEASES_MIGRATION]: leases(flavour),
    [AUDIT_EVENTS_MIGRATION]: auditEvents(flavour),
    [OAUTH_CONSENTS_MIGRATION]: oauthConsents(flavour),
    [PAR_DPOP_MIGRATION]: parDpopPrivateKeyJwt(flavour),
    [DEVICE_CODES_MIGRATION]: deviceCodes(flavour),
    [CLIENT_BACKCHANNEL_LOGOUT_MIGRATION]: clientBackchannelLogout(flavour),
    [CLIENT_REGISTRATION_MIGRATION]: clientRegistration(flavour),
    [BACKCHANNEL_LOGOUT_MIGRATION]: backchannelLogout(flavour),
    [SQLITE_TOKEN_INDEXES_MIGRATION]: sqliteTokenIndexes(flavour),
  };
}

/**
 * A Kysely MigrationProvider over the statically imported migrations (no FileMigrationProvider:
 * the set must be the same whether we run from `src` under tsx or from compiled `dist`).
 */
export function authlyMigrationProvider(flavour: SqlFlavour, hooks: BaselineHooks = {}): MigrationProvider {
  const migrations = authlyMigrations(flavour, hooks);
  return {
    getMigrations: () => Promise.resolve(migrations),
  };
}
