import type { PresentedAccessToken } from '../authenticate-bearer.js';
import type { ClientSecrets } from '../../crypto/client-secret.js';
import type { PasswordHasher } from '../../crypto/password-hasher.js';
import type { RandomSource } from '../../crypto/random.js';
import type { Repositories } from '../../repositories/repositories.js';
import type { Clock, Logger } from '../../repositories/ports.js';
import { currentUser, type BearerAuthenticator, type UserPrincipal } from '../users/current-user.js';
import { requireAdmin } from './admin-authority.js';
import type { AdminScope } from './admin-scopes.js';
import { ClientAdmin } from './client-admin.js';
import { ScopeAdmin } from './scope-admin.js';
import { SessionAdmin } from './session-admin.js';
import { SystemAdmin, type SystemSettings } from './system-admin.js';
import { UserAdmin } from './user-admin.js';

/** Everything the admin API needs, wired once by the composition root. */
export interface AdminServiceDeps {
  repos: Repositories;
  passwords: PasswordHasher;
  secrets: ClientSecrets;
  clock: Clock;
  random: RandomSource;
  logger: Logger;
  /** The OAuth service's bearer check. */
  authenticate: BearerAuthenticator;
  system: SystemSettings;
}

/** The admin API's use cases, one part per resource; routes call one method each. */
export class AdminService {
  readonly clients: ClientAdmin;
  readonly scopes: ScopeAdmin;
  readonly users: UserAdmin;
  readonly sessions: SessionAdmin;
  readonly system: SystemAdmin;
  readonly #authenticate: BearerAuthenticator;

  constructor(deps: AdminServiceDeps) {
    this.#authenticate = deps.authenticate;
    this.clients = new ClientAdmin(deps);
    this.scopes = new ScopeAdmin(deps.repos);
    this.users = new UserAdmin(deps);
    this.sessions = new SessionAdmin(deps);
    this.system = new SystemAdmin({ ...deps, settings: deps.system });
  }

  /** Both layers of admin authority: a valid user token, `is_admin`, and the scope. */
  async authorize(presented: PresentedAccessToken, scope: AdminScope): Promise<UserPrincipal> {
    const principal = await currentUser(this.#authenticate, presented);
    requireAdmin(principal, scope);
    return principal;
  }
}
