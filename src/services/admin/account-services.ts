import type { Config } from '../../config/index.js';
import type { ClientSecrets } from '../../crypto/client-secret.js';
import type { PasswordHasher } from '../../crypto/password-hasher.js';
import type { RandomSource } from '../../crypto/random.js';
import { API_PREFIX } from '../../protocol/discovery.js';
import { GrantService } from '../consents.js';
import type { Repositories } from '../../repositories/repositories.js';
import type { Clock, Logger } from '../../repositories/ports.js';
import { bootstrap, BootstrapConflictError } from '../bootstrap.js';
import { LoginThrottle } from '../login-throttle.js';
import type { ThrottleStore } from '../login-throttle-store.js';
import type { BearerAuthenticator } from '../users/current-user.js';
import type { AuditLog } from '../../audit/audit-log.js';
import { UserService } from '../users/user-service.js';
import { AdminService } from './admin-service.js';

/** What the account services are built from; the store is chosen by the composition root. */
export interface AccountServicesDeps {
  repos: Repositories;
  passwords: PasswordHasher;
  secrets: ClientSecrets;
  clock: Clock;
  random: RandomSource;
  logger: Logger;
  authenticate: BearerAuthenticator;
  throttleStore: ThrottleStore;
  database: { backend: string; ping(): Promise<void> };
  /** Where lockouts and rate-limit refusals are recorded. */
  audit?: AuditLog;
}

/** The users, auth and admin services and the login throttle. */
export interface AccountServices {
  users: UserService;
  admin: AdminService;
  throttle: LoginThrottle;
  authenticate: BearerAuthenticator;
  /** Users' grants (remembered consents), for `{P}/users/me/grants` and the admin API. */
  grants: GrantService;
  /** The admin created at this start with a generated password, to show once on the console. */
  generatedAdmin?: { username: string; password: string };
}

/**
 * Builds the account services and runs the start-up bootstrap when `admin.bootstrap`
 * is set. A bootstrap failure is logged and start-up continues, as in Authly, except a
 * {@link BootstrapConflictError}: the server must not run with an admin name someone else holds.
 */
export async function createAccountServices(config: Config, deps: AccountServicesDeps): Promise<AccountServices> {
  const { tokens, rate_limit: rate, lockout } = config;
  const throttle = new LoginThrottle({
    store: deps.throttleStore,
    logger: deps.logger,
    ...(deps.audit ? { audit: deps.audit } : {}),
    // Counters are keyed on the account a name reaches, found by the login's own lookup.
    findAccount: async (username) => (await deps.repos.users.findByUsername(username))?.username,
    settings: {
      rateLimit: {
        enabled: rate.enabled,
        windowSeconds: rate.window_seconds,
        loginPerIp: rate.login_per_ip,
        loginPerUsername: rate.login_per_username,
        registrationPerIp: rate.registration_per_ip,
        pushedRequestsPerIp: rate.pushed_requests_per_ip,
        clientRegistrationPerIp: rate.client_registration_per_ip,
      },
      lockout: { enabled: lockout.enabled, maxAttempts: lockout.max_attempts, durationSeconds: lockout.duration_seconds },
    },
  });
  const admin = new AdminService({
    ...deps,
    system: {
      apiPrefix: API_PREFIX,
      jwtAlgorithm: tokens.algorithm,
      accessTokenExpiryMinutes: tokens.access_token_expire_minutes,
      refreshTokenExpiryDays: tokens.refresh_token_expire_days,
      databaseBackend: deps.database.backend,
      ping: () => deps.database.ping(),
    },
  });
  let generatedAdmin: AccountServices['generatedAdmin'];
  if (config.admin.bootstrap) {
    const { username, email, password, dev_mode: devMode } = config.admin;
    const report = await bootstrap({ username, email, password, devMode }, deps).catch((error: unknown) => {
      if (error instanceof BootstrapConflictError) throw error;
      deps.logger.error({ err: error }, 'bootstrap failed; the server starts without it');
      return undefined;
    });
    if (report?.generatedPassword) generatedAdmin = { username, password: report.generatedPassword };
  }
  const grants = new GrantService({ repos: deps.repos, clock: deps.clock, logger: deps.logger });
  return { users: new UserService({ ...deps, throttle }), admin, throttle, authenticate: deps.authenticate, grants, generatedAdmin };
}
