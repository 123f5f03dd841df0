import type { AuthorizationCodeRepository } from './authorization-code-repository.js';
import type { ClientRepository } from './client-repository.js';
import type { ConsentRepository } from './consent-repository.js';
import type { PushedRequestRepository } from './pushed-request-repository.js';
import type { ReplayGuard } from './replay-guard.js';
import type { DeviceCodeRepository } from './device-code-repository.js';
import type { RegistrationRepository } from './registration-repository.js';
import type { BackchannelLogoutRepository } from './backchannel-logout-repository.js';
import type { ScopeRepository } from './scope-repository.js';
import type { SigningKeyRepository } from './signing-key-repository.js';
import type { TokenRepository } from './token-repository.js';
import type { UserRepository } from './user-repository.js';

export type {
  AuthorizationCodeRepository,
  BackchannelLogoutRepository,
  ClientRepository,
  ConsentRepository,
  DeviceCodeRepository,
  PushedRequestRepository,
  RegistrationRepository,
  ReplayGuard,
  ScopeRepository,
  SigningKeyRepository,
  TokenRepository,
  UserRepository,
};

/** Every repository a service may need; services cannot tell the backend or the cache apart. */
export interface Repositories {
  users: UserRepository;
  clients: ClientRepository;
  scopes: ScopeRepository;
  tokens: TokenRepository;
  authorizationCodes: AuthorizationCodeRepository;
  signingKeys: SigningKeyRepository;
  consents: ConsentRepository;
  pushedRequests: PushedRequestRepository;
  replayGuard: ReplayGuard;
  deviceCodes: DeviceCodeRepository;
  registrations: RegistrationRepository;
  backchannelLogout: BackchannelLogoutRepository;
}
