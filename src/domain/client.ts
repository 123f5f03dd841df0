/** `confidential` clients hold a secret; `public` clients (SPAs, native apps) do not. */
export type ClientType = 'confidential' | 'public';

/** RFC 7591 §2 `token_endpoint_auth_method` values Authly supports. */
export type TokenEndpointAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt' | 'none';

/** A JWK Set (RFC 7517 §5) as a client registers it for `private_key_jwt`. */
export interface JsonWebKeySet {
  keys: Record<string, unknown>[];
}

/** A localized metadata value, e.g. `{"fr": "Mon application"}` (RFC 7591 §2.2). */
export type LocalizedValues = Record<string, string>;

/** An OAuth client registration (table `oauth_clients`). */
export interface Client {
  id: string;
  clientId: string;
  /** Digest of the secret, never the secret; `null` for public clients. */
  clientSecretHash: string | null;
  clientName: string;
  clientType: ClientType;
  redirectUris: string[];
  grantTypes: string[];
  responseTypes: string[];
  /** Space-separated default scopes. */
  scope: string | null;
  isActive: boolean;
  createdAt: Date;
  updatedAt: Date;
  requirePkce: boolean;
  tokenEndpointAuthMethod: string;
  clientUri: string | null;
  logoUri: string | null;
  tosUri: string | null;
  policyUri: string | null;
  jwksUri: string | null;
  softwareId: string | null;
  softwareVersion: string | null;
  idTokenSignedResponseAlg: string;
  subjectType: string;
  sectorIdentifierUri: string | null;
  requireAuthTime: boolean;
  defaultMaxAge: number | null;
  initiateLoginUri: string | null;
  requestUris: string[];
  applicationType: string;
  contacts: string[];
  clientNameLocalized: LocalizedValues | null;
  logoUriLocalized: LocalizedValues | null;
  clientUriLocalized: LocalizedValues | null;
  policyUriLocalized: LocalizedValues | null;
  tosUriLocalized: LocalizedValues | null;
  /** Public keys for `private_key_jwt` (RFC 7591 §2 `jwks`); exclusive with `jwksUri`. */
  jwks: JsonWebKeySet | null;
  /** RFC 9126 §6: authorization requests must be pushed first. */
  requirePushedAuthorizationRequests: boolean;
  /** RFC 9449 §5.2: access tokens are always DPoP-bound. */
  dpopBoundAccessTokens: boolean;
  /** Where logout tokens are POSTed (OIDC Back-Channel Logout 1.0 §2.2); `null`: no notices. */
  backchannelLogoutUri: string | null;
  /** The client needs `sid` in logout tokens (§2.2); we always send it when there is one. */
  backchannelLogoutSessionRequired: boolean;
}

/** Fields that take schema defaults when a client is created. */
type DefaultedClientField = Exclude<
  keyof Client,
  'clientId' | 'clientName' | 'clientType' | 'redirectUris' | 'createdAt' | 'updatedAt'
>;

/** What a caller supplies to create a client. */
export type NewClient = Pick<Client, 'clientId' | 'clientName' | 'clientType' | 'redirectUris'> &
  Partial<Pick<Client, DefaultedClientField>>;

/** Fields an update may change. */
export type ClientPatch = Partial<Omit<Client, 'id' | 'clientId' | 'createdAt' | 'updatedAt'>>;

/** Admin listing options. */
export interface ClientListQuery {
  includeInactive?: boolean;
  limit: number;
  offset: number;
}
