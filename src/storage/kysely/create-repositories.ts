import type { Repositories } from '../../repositories/repositories.js';
import { KyselyAuthorizationCodeRepository } from './authorization-code-repository.js';
import { KyselyClientRepository } from './client-repository.js';
import { KyselyConsentRepository } from './consent-repository.js';
import type { RepositoryContext } from './context.js';
import { KyselyPushedRequestRepository } from './pushed-request-repository.js';
import { KyselyReplayGuard } from './replay-guard.js';
import { KyselyDeviceCodeRepository } from './device-code-repository.js';
import { KyselyRegistrationRepository } from './registration-repository.js';
import { KyselyBackchannelLogoutRepository } from './backchannel-logout-repository.js';
import { KyselyScopeRepository } from './scope-repository.js';
import { KyselySigningKeyRepository } from './signing-key-repository.js';
import { KyselyTokenRepository, type TokenStatements } from './token-repository.js';
import { KyselyUserRepository } from './user-repository.js';

/** Per-backend choices below the repository interface. */
export interface RepositoryOptions {
  /** The token repository's hot statements (SQLite: group commit, a prepared lookup); Kysely's when absent. */
  tokens?: TokenStatements;
}

/** The one implementation of every repository, shared by SQLite, `:memory:` and PostgreSQL. */
export function createKyselyRepositories(ctx: RepositoryContext, options: RepositoryOptions = {}): Repositories {
  return {
    users: new KyselyUserRepository(ctx),
    clients: new KyselyClientRepository(ctx),
    scopes: new KyselyScopeRepository(ctx),
    tokens: new KyselyTokenRepository(ctx, options.tokens),
    authorizationCodes: new KyselyAuthorizationCodeRepository(ctx),
    signingKeys: new KyselySigningKeyRepository(ctx),
    consents: new KyselyConsentRepository(ctx),
    pushedRequests: new KyselyPushedRequestRepository(ctx),
    replayGuard: new KyselyReplayGuard(ctx),
    deviceCodes: new KyselyDeviceCodeRepository(ctx),
    registrations: new KyselyRegistrationRepository(ctx),
    backchannelLogout: new KyselyBackchannelLogoutRepository(ctx),
  };
}
