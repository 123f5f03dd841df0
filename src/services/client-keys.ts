import { createLocalJWKSet, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import type { Client } from '../domain/client.js';
import { outboundRequest, type OutboundPolicy, type OutboundResponse, type OutboundRequest } from '../net/outbound-request.js';
import type { Clock, Logger } from '../repositories/ports.js';

/** Makes the outgoing request; `outboundRequest` in production. */
export type Fetcher = (request: OutboundRequest, policy: OutboundPolicy) => Promise<OutboundResponse>;

/** Settings of {@link ClientKeys}. */
export interface ClientKeysSettings {
  /** `oauth.allow_private_jwks_uri`: loopback and private addresses may be fetched. */
  allowPrivateTargets: boolean;
  /** How long a fetched set is reused. */
  cacheSeconds: number;
}

/** Why a client's keys could not be had; the message is safe to log, never to a client. */
export class ClientKeysUnavailable extends Error {
  override readonly name = 'ClientKeysUnavailable';
}

interface Fetched {
  keys: JWTVerifyGetKey;
  fetchedAt: number;
}

/** A JWK Set document is small: a few public keys. */
const MAX_JWKS_BYTES = 64 * 1024;
const FETCH_TIMEOUT_MS = 5000;
/** An unknown `kid` refetches at most this often, so a stream of bad assertions cannot make us a proxy. */
const REFETCH_COOLDOWN_MS = 10_000;
const MAX_CACHED_URIS = 1000;

/**
 * The public keys a `private_key_jwt` client authenticates with (RFC 7523 §2.2, OIDC Core §9):
 * its registered `jwks`, or the set at its `jwks_uri`, fetched through the SSRF-guarded outbound
 * client with a time and size limit and cached. A key id the cached set lacks triggers one
 * refetch (the client rotated its keys), no more often than every ten seconds.
 */
export class ClientKeys {
  readonly #settings: ClientKeysSettings;
  readonly #clock: Clock;
  readonly #fetch: Fetcher;
  readonly #logger: Logger | undefined;
  readonly #cache = new Map<string, Fetched>();

  constructor(deps: { settings: ClientKeysSettings; clock: Clock; fetch?: Fetcher; logger?: Logger }) {
    this.#settings = deps.settings;
    this.#clock = deps.clock;
    this.#fetch = deps.fetch ?? outboundRequest;
    this.#logger = deps.logger;
  }

  /**
   * The key resolver for the client's assertions. `fresh` asks for a refetch of a `jwks_uri`
   * (an unknown `kid`); it is honoured once the cooldown has passed.
   */
  async resolver(client: Client, fresh = false): Promise<JWTVerifyGetKey> {
    if (client.jwks) return createLocalJWKSet(client.jwks as unknown as JSONWebKeySet);
    const uri = client.jwksUri;
    if (!uri) throw new ClientKeysUnavailable('the client registered no keys');
    const now = this.#clock.now().getTime();
    const cached = this.#cache.get(uri);
    const age = cached ? now - cached.fetchedAt : Infinity;
    if (cached && age < this.#settings.cacheSeconds * 1000 && !(fresh && age >= REFETCH_COOLDOWN_MS)) return cached.keys;
    const keys = await this.#download(uri);
    if (this.#cache.size >= MAX_CACHED_URIS) this.#cache.delete(this.#cache.keys().next().value as string);
    this.#cache.set(uri, { keys, fetchedAt: now });
    return keys;
  }

  async #download(uri: string): Promise<JWTVerifyGetKey> {
    let response: OutboundResponse;
    try {
      response = await this.#fetch(
        { method: 'GET', url: uri, headers: { accept: 'application/jwk-set+json, application/json' } },
        { allowPrivateTargets: this.#settings.allowPrivateTargets, timeoutMs: FETCH_TIMEOUT_MS, maxBytes: MAX_JWKS_BYTES },
      );
    } catch (error) {
      this.#logger?.warn({ err: error }, 'could not fetch a client jwks_uri');
      throw new ClientKeysUnavailable('the client jwks_uri could not be fetched', { cause: error });
    }
    if (response.status !== 200) throw new ClientKeysUnavailable(`the client jwks_uri answered ${response.status}`);
    let document: unknown;
    try {
      document = JSON.parse(response.body.toString('utf8'));
    } catch {
      throw new ClientKeysUnavailable('the client jwks_uri did not return JSON');
    }
    const keys = (document as { keys?: unknown } | null)?.keys;
    if (!Array.isArray(keys)) throw new ClientKeysUnavailable('the client jwks_uri did not return a JWK Set');
    return createLocalJWKSet(document as JSONWebKeySet);
  }
}
